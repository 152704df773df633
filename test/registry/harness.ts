// Starts a real CNCF distribution 2.8 registry (/usr/bin/docker-registry) on 127.0.0.1 for tests,
// with no auth, htpasswd auth, or token auth backed by an in-test token server.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenServer, type RunningTokenServer } from './token-server.js';

export type RegistryAuthMode = 'none' | 'htpasswd' | 'token';

export interface StartRegistryOptions {
  auth?: RegistryAuthMode;
  /** Binary to run (default /usr/bin/docker-registry). */
  binary?: string;
}

export interface RunningRegistry {
  /** "127.0.0.1:PORT" */
  host: string;
  port: number;
  /** "http://127.0.0.1:PORT" */
  url: string;
  auth: RegistryAuthMode;
  /** Credentials with pull+push (htpasswd and token modes). */
  username?: string;
  password?: string;
  /** Credentials allowed only to pull (token mode; in htpasswd mode every user may push). */
  readOnlyUsername?: string;
  readOnlyPassword?: string;
  /** Storage root on disk (temp dir, removed on close). */
  storageDir: string;
  configPath: string;
  tokenServer?: RunningTokenServer;
  /** The registry's stderr/stdout so far (for debugging a failing test). */
  logs(): string;
  close(): Promise<void>;
}

export const REGISTRY_USER = 'modelseal';
export const REGISTRY_PASSWORD = 'correct-horse-battery';
export const REGISTRY_REFRESH_TOKEN = 'refresh-token-of-modelseal';
export const READER_USER = 'reader';
export const READER_PASSWORD = 'reader-only-pass';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

async function waitReady(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${logs()}`);
    const status = await probe(`${url}/v2/`);
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not become ready at ${url}: ${logs()}`);
}

function makeTokenCert(dir: string): { keyPem: string; certPem: string; certPath: string } {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=modelseal-test-token-issuer',
    ],
    { stdio: 'ignore' },
  );
  return { keyPem: readFileSync(keyPath, 'utf8'), certPem: readFileSync(certPath, 'utf8'), certPath };
}

async function startOnce(opts: StartRegistryOptions): Promise<RunningRegistry> {
  const auth = opts.auth ?? 'none';
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  let tokenServer: RunningTokenServer | undefined;

  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
    '  secret: modelseal-test-secret',
    'validation:',
    '  disabled: true',
  ];
  const result: Partial<RunningRegistry> = {};
  if (auth === 'htpasswd') {
    const htpasswdPath = join(dir, 'htpasswd');
    const entries = [
      execFileSync('htpasswd', ['-Bbn', REGISTRY_USER, REGISTRY_PASSWORD], { encoding: 'utf8' }).trim(),
      execFileSync('htpasswd', ['-Bbn', READER_USER, READER_PASSWORD], { encoding: 'utf8' }).trim(),
    ];
    writeFileSync(htpasswdPath, entries.join('\n') + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: modelseal-test', `    path: ${htpasswdPath}`);
    Object.assign(result, { username: REGISTRY_USER, password: REGISTRY_PASSWORD });
  } else if (auth === 'token') {
    const { keyPem, certPem, certPath } = makeTokenCert(dir);
    tokenServer = await startTokenServer({
      issuer: 'modelseal-test-issuer',
      service: 'modelseal-test-registry',
      keyPem,
      certPem,
      users: {
        [REGISTRY_USER]: {
          password: REGISTRY_PASSWORD,
          refreshToken: REGISTRY_REFRESH_TOKEN,
          actions: ['pull', 'push'],
        },
        [READER_USER]: { password: READER_PASSWORD, actions: ['pull'] },
      },
    });
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${tokenServer.realm}`,
      '    service: modelseal-test-registry',
      '    issuer: modelseal-test-issuer',
      `    rootcertbundle: ${certPath}`,
    );
    Object.assign(result, {
      username: REGISTRY_USER,
      password: REGISTRY_PASSWORD,
      readOnlyUsername: READER_USER,
      readOnlyPassword: READER_PASSWORD,
    });
  }
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, lines.join('\n') + '\n');

  // The registry logs every 404 (each blob HEAD before an upload: ~10 KB per push). Its output goes
  // to a file, not a pipe: a test that runs the CLI with spawnSync cannot drain a pipe, and once its
  // 64 KiB filled up the registry blocked on the write and stopped answering (the 9th push).
  const logPath = join(dir, 'registry.log');
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.binary ?? '/usr/bin/docker-registry', ['serve', configPath], {
      stdio: ['ignore', logFd, logFd],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    });
  } finally {
    closeSync(logFd);
  }
  const logs = (): string => {
    try {
      const text = readFileSync(logPath, 'utf8');
      return text.length > 100_000 ? text.slice(-100_000) : text;
    } catch {
      return '';
    }
  };

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(url, child, logs);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    ...result,
    host,
    port,
    url,
    auth,
    storageDir,
    configPath,
    tokenServer,
    logs,
    close,
  };
}

/** Start docker-registry on a free 127.0.0.1 port; retries a couple of times if the port was taken. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RunningRegistry> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
