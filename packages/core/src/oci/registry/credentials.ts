// Registry credentials: explicit (--username + --password-stdin), or looked up in the Docker config
// (DOCKER_CONFIG/config.json: credHelpers, credsStore, auths) through docker-credential-* helpers,
// then in the podman/skopeo auth file (REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json).

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RegistryError } from '../../errors.js';

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token ("identitytoken" in the Docker config; helper username `<token>`). */
  identityToken?: string;
  /** A ready bearer token for the registry ("registrytoken"). */
  registryToken?: string;
}

/** Looks credentials up for a registry host; undefined means anonymous. */
export type CredentialSource = (registry: string) => Promise<RegistryCredentials | undefined>;

export interface DockerCredentialOptions {
  /** Directory holding config.json (default: $DOCKER_CONFIG, else ~/.docker). */
  configDir?: string;
  /** The config file itself (a `config.json` elsewhere or named otherwise); overrides configDir. */
  configFile?: string;
  /** Environment used for DOCKER_CONFIG and PATH of the helpers (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Helper timeout in ms (default 15 s). */
  helperTimeoutMs?: number;
}

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** Host[:port] of a config key such as "https://index.docker.io/v1/" or "localhost:5000". */
function normaliseRegistryKey(key: string): string {
  const noScheme = key.replace(/^[a-z]+:\/\//i, '');
  const host = noScheme.split('/')[0] ?? noScheme;
  const lower = host.toLowerCase();
  return DOCKER_HUB_HOSTS.has(lower) ? 'docker.io' : lower;
}

function helperName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new RegistryError(
      'REGISTRY_AUTH',
      `invalid docker credential helper name "${name}" in the Docker config`,
    );
  }
  return `docker-credential-${name}`;
}

/** Run `docker-credential-<name> get` for `serverUrl`; undefined when the helper has no entry. */
async function runCredentialHelper(
  name: string,
  serverUrl: string,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RegistryCredentials | undefined> {
  const program = helperName(name);
  const { stdout, stderr, exitCode } = await new Promise<{
    stdout: string;
    stderr: string;
    exitCode: number | null;
  }>((resolve, reject) => {
    const child = spawn(program, ['get'], { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new RegistryError(
          'REGISTRY_AUTH',
          `docker credential helper ${program} could not be run: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: out, stderr: err, exitCode: code });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
  if (exitCode !== 0) {
    const text = `${stdout} ${stderr}`;
    if (/credentials not found/i.test(text)) return undefined;
    throw new RegistryError(
      'REGISTRY_AUTH',
      `docker credential helper ${program} failed for ${serverUrl} (exit ${exitCode})`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new RegistryError(
      'REGISTRY_AUTH',
      `docker credential helper ${program} returned unreadable output for ${serverUrl}`,
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : undefined;
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : undefined;
  if (!secret) return undefined;
  if (username === '<token>') return { identityToken: secret };
  return { username, password: secret };
}

function fromAuthEntry(
  entry: NonNullable<DockerConfigFile['auths']>[string],
): RegistryCredentials | undefined {
  if (entry.identitytoken) {
    const username = entry.auth
      ? Buffer.from(entry.auth, 'base64').toString('utf8').split(':')[0]
      : entry.username;
    return { username, identityToken: entry.identitytoken };
  }
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

/**
 * Credentials for `registry` (host[:port]) from the Docker config, in Docker's order: a per-registry
 * credential helper, else the default credsStore, else the `auths` entry. Undefined = anonymous.
 */
export async function loadDockerCredentials(
  registry: string,
  opts: DockerCredentialOptions = {},
): Promise<RegistryCredentials | undefined> {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const path = opts.configFile ?? join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryError(
      'REGISTRY_AUTH',
      `cannot read Docker config ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let config: DockerConfigFile;
  try {
    config = JSON.parse(text) as DockerConfigFile;
  } catch {
    throw new RegistryError('REGISTRY_AUTH', `Docker config ${path} is not valid JSON`);
  }
  const wanted = normaliseRegistryKey(registry);
  const serverUrl = wanted === 'docker.io' ? DOCKER_HUB_KEY : wanted;
  const helperOpts = { env, timeoutMs: opts.helperTimeoutMs };
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
    if (normaliseRegistryKey(key) === wanted) return runCredentialHelper(helper, serverUrl, helperOpts);
  }
  if (config.credsStore) return runCredentialHelper(config.credsStore, serverUrl, helperOpts);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (normaliseRegistryKey(key) === wanted && entry) {
      const creds = fromAuthEntry(entry);
      if (creds) return creds;
    }
  }
  return undefined;
}

/** The `auths` entry for `registry` in the podman/skopeo auth file, if there is one. */
export async function loadContainersAuth(
  registry: string,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<RegistryCredentials | undefined> {
  const env = opts.env ?? process.env;
  const candidates = env.REGISTRY_AUTH_FILE
    ? [env.REGISTRY_AUTH_FILE]
    : [
        ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')] : []),
        join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'containers', 'auth.json'),
      ];
  const wanted = normaliseRegistryKey(registry);
  for (const path of candidates) {
    let config: DockerConfigFile;
    try {
      config = JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new RegistryError(
        'REGISTRY_AUTH',
        `cannot read containers auth file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'not valid JSON'}`,
      );
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      if (normaliseRegistryKey(key) === wanted && entry) {
        const creds = fromAuthEntry(entry);
        if (creds) return creds;
      }
    }
  }
  return undefined;
}

/** The default lookup: the Docker config first, then the podman/skopeo auth file; else anonymous. */
export async function defaultCredentials(
  registry: string,
  opts: DockerCredentialOptions = {},
): Promise<RegistryCredentials | undefined> {
  return (
    (await loadDockerCredentials(registry, opts)) ?? (await loadContainersAuth(registry, { env: opts.env }))
  );
}

/** Read a password given on stdin (`--password-stdin`): all input, minus one trailing newline. */
export async function readPasswordStdin(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > 64 * 1024)
      throw new RegistryError('REGISTRY_AUTH', 'password on stdin is longer than 64 KiB');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!text) throw new RegistryError('REGISTRY_AUTH', 'no password given on stdin');
  return text;
}
