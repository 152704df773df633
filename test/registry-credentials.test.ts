// Registry credentials from a Docker config (auths, identitytoken, credsStore, credHelpers with a
// real docker-credential-* helper script on PATH) used against real registries.

import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { RegistryTarget } from '../packages/core/src/oci/registry/registry-target.js';
import {
  defaultCredentials,
  loadContainersAuth,
  loadDockerCredentials,
  readPasswordStdin,
} from '../packages/core/src/oci/registry/credentials.js';
import { startRegistry, REGISTRY_REFRESH_TOKEN, type RunningRegistry } from './registry/harness.js';
import { rejectionOf } from './rejection.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of closers) await c();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'modelseal-creds-'));
  dirs.push(d);
  return d;
}

function writeConfig(config: unknown): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A docker-credential-<name> script that logs the server URL it was asked for and answers for `host`. */
function helperBin(
  name: string,
  host: string,
  username: string,
  secret: string,
): { bin: string; log: string } {
  const bin = tempDir();
  const log = join(bin, 'asked.log');
  const script = `#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
printf '%s\\n' "$server" >> '${log}'
if [ "$server" = '${host}' ]; then
  printf '{"ServerURL":"%s","Username":"${username}","Secret":"${secret}"}' "$server"
else
  echo 'credentials not found in native keychain'
  exit 1
fi
`;
  const path = join(bin, `docker-credential-${name}`);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return { bin, log };
}

async function roundTrip(t: RegistryTarget): Promise<void> {
  const bytes = Buffer.from(`payload for ${t.location}`);
  const desc = {
    mediaType: 'application/octet-stream',
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
  };
  await t.push(desc, { kind: 'bytes', bytes });
  expect(await t.exists(desc)).toBe(true);
}

let htpasswd: RunningRegistry;
let token: RunningRegistry;
beforeAll(async () => {
  [htpasswd, token] = await Promise.all([
    startRegistry({ auth: 'htpasswd' }),
    startRegistry({ auth: 'token' }),
  ]);
  closers.push(
    () => htpasswd.close(),
    () => token.close(),
  );
});

describe('loadDockerCredentials', () => {
  it('reads base64 auth from auths (password may contain colons), matching scheme-prefixed keys', async () => {
    const dir = writeConfig({ auths: { 'https://registry.example:5000/v1/': { auth: b64('alice:pa:ss') } } });
    expect(await loadDockerCredentials('registry.example:5000', { configDir: dir })).toEqual({
      username: 'alice',
      password: 'pa:ss',
    });
    expect(await loadDockerCredentials('other.example', { configDir: dir })).toBeUndefined();
  });

  it('maps docker.io to the https://index.docker.io/v1/ key', async () => {
    const dir = writeConfig({ auths: { 'https://index.docker.io/v1/': { auth: b64('bob:pw') } } });
    expect(await loadDockerCredentials('docker.io', { configDir: dir })).toEqual({
      username: 'bob',
      password: 'pw',
    });
  });

  it('uses DOCKER_CONFIG from the environment and returns undefined without a config', async () => {
    const dir = writeConfig({ auths: { 'reg.test': { auth: b64('carol:pw') } } });
    expect(await loadDockerCredentials('reg.test', { env: { DOCKER_CONFIG: dir } })).toEqual({
      username: 'carol',
      password: 'pw',
    });
    expect(await loadDockerCredentials('reg.test', { configDir: tempDir() })).toBeUndefined();
  });

  it('an unreadable config is REGISTRY_AUTH without echoing its content', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), '{"auths": {"x": {"auth": "c2VjcmV0"}');
    await expect(loadDockerCredentials('x', { configDir: dir })).rejects.toMatchObject({
      code: 'REGISTRY_AUTH',
      message: `Docker config ${join(dir, 'config.json')} is not valid JSON`,
    });
  });

  it('credsStore runs docker-credential-<name> get; credHelpers wins over credsStore', async () => {
    const store = helperBin('teststore', 'reg.test', 'dave', 'store-secret');
    const perHost = helperBin('testhost', 'reg.test', 'erin', 'host-secret');
    const env = { PATH: `${store.bin}:${perHost.bin}:${process.env.PATH}` };
    const viaStore = writeConfig({ credsStore: 'teststore', auths: { 'reg.test': {} } });
    expect(await loadDockerCredentials('reg.test', { configDir: viaStore, env })).toEqual({
      username: 'dave',
      password: 'store-secret',
    });
    expect(await loadDockerCredentials('unknown.test', { configDir: viaStore, env })).toBeUndefined();
    expect(readFileSync(store.log, 'utf8')).toBe('reg.test\nunknown.test\n');
    const both = writeConfig({ credsStore: 'teststore', credHelpers: { 'reg.test': 'testhost' } });
    expect(await loadDockerCredentials('reg.test', { configDir: both, env })).toEqual({
      username: 'erin',
      password: 'host-secret',
    });
  });

  it('a helper answering Username <token> gives an identity token', async () => {
    const helper = helperBin('tok', 'reg.test', '<token>', 'refresh-123');
    const dir = writeConfig({ credsStore: 'tok' });
    expect(
      await loadDockerCredentials('reg.test', {
        configDir: dir,
        env: { PATH: `${helper.bin}:${process.env.PATH}` },
      }),
    ).toEqual({
      identityToken: 'refresh-123',
    });
  });

  it('a missing helper is REGISTRY_AUTH naming the helper', async () => {
    const dir = writeConfig({ credsStore: 'does-not-exist' });
    await expect(
      loadDockerCredentials('reg.test', { configDir: dir, env: { PATH: tempDir() } }),
    ).rejects.toMatchObject({
      code: 'REGISTRY_AUTH',
      message: 'docker credential helper docker-credential-does-not-exist could not be run: ENOENT',
    });
  });
});

describe('podman/skopeo auth file', () => {
  it('reads REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json; the Docker config wins', async () => {
    const file = join(tempDir(), 'auth.json');
    writeFileSync(file, JSON.stringify({ auths: { 'quay.test': { auth: b64('frank:pw1') } } }));
    expect(await loadContainersAuth('quay.test', { env: { REGISTRY_AUTH_FILE: file } })).toEqual({
      username: 'frank',
      password: 'pw1',
    });
    const runtime = tempDir();
    mkdirSync(join(runtime, 'containers'));
    writeFileSync(
      join(runtime, 'containers', 'auth.json'),
      JSON.stringify({ auths: { 'quay.test': { auth: b64('gina:pw2') } } }),
    );
    const env = { XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: tempDir(), DOCKER_CONFIG: tempDir() };
    expect(await loadContainersAuth('quay.test', { env })).toEqual({ username: 'gina', password: 'pw2' });
    expect(await defaultCredentials('quay.test', { env })).toEqual({ username: 'gina', password: 'pw2' });
    const docker = writeConfig({ auths: { 'quay.test': { auth: b64('hank:pw3') } } });
    expect(await defaultCredentials('quay.test', { env: { ...env, DOCKER_CONFIG: docker } })).toEqual({
      username: 'hank',
      password: 'pw3',
    });
    expect(await defaultCredentials('none.test', { env })).toBeUndefined();
  });
});

describe('Docker config credentials against real registries', () => {
  it('htpasswd registry: auths entry via DOCKER_CONFIG (the RegistryTarget default)', async () => {
    const dir = writeConfig({
      auths: { [`http://${htpasswd.host}`]: { auth: b64(`${htpasswd.username}:${htpasswd.password}`) } },
    });
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = dir;
    try {
      const t = new RegistryTarget({ registry: htpasswd.host, repository: 'creds/default' });
      closers.push(() => t.close());
      await roundTrip(t);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });

  it('htpasswd registry: credsStore helper script on PATH', async () => {
    const helper = helperBin('test', htpasswd.host, htpasswd.username!, htpasswd.password!);
    const dir = writeConfig({ credsStore: 'test' });
    const env = { PATH: `${helper.bin}:${process.env.PATH}` };
    const t = new RegistryTarget({
      registry: htpasswd.host,
      repository: 'creds/store',
      credentials: (r) => loadDockerCredentials(r, { configDir: dir, env }),
    });
    closers.push(() => t.close());
    await roundTrip(t);
    expect(readFileSync(helper.log, 'utf8')).toBe(`${htpasswd.host}\n`);
  });

  it('token registry: identitytoken is exchanged with an OAuth2 refresh_token grant', async () => {
    const dir = writeConfig({
      auths: { [token.host]: { auth: b64('modelseal:'), identitytoken: REGISTRY_REFRESH_TOKEN } },
    });
    const t = new RegistryTarget({
      registry: token.host,
      repository: 'creds/oauth',
      credentials: (r) => loadDockerCredentials(r, { configDir: dir }),
    });
    closers.push(() => t.close());
    await roundTrip(t);
    const reqs = token.tokenServer!.requests;
    // the HEAD before the upload asks for pull, the upload for pull,push; both by the refresh token
    expect(reqs).toEqual([
      {
        user: 'modelseal',
        via: 'refresh_token',
        scopes: ['repository:creds/oauth:pull'],
        service: 'modelseal-test-registry',
      },
      {
        user: 'modelseal',
        via: 'refresh_token',
        scopes: ['repository:creds/oauth:pull,push'],
        service: 'modelseal-test-registry',
      },
    ]);
  });

  it('token registry: a wrong identity token is REGISTRY_AUTH', async () => {
    const t = new RegistryTarget({
      registry: token.host,
      repository: 'creds/oauth',
      credentials: { identityToken: 'stale-token' },
    });
    closers.push(() => t.close());
    const err = await rejectionOf(t.resolve('v1'));
    expect(err.code).toBe('REGISTRY_AUTH');
    expect(err.message).not.toContain('stale-token');
  });
});

describe('readPasswordStdin', () => {
  it('strips one trailing newline and keeps everything else', async () => {
    expect(await readPasswordStdin(Readable.from([Buffer.from('s3cr3t \n')]))).toBe('s3cr3t ');
    expect(await readPasswordStdin(Readable.from([Buffer.from('a\r\n')]))).toBe('a');
    expect(await readPasswordStdin(Readable.from([Buffer.from('line1\nline2\n\n')]))).toBe('line1\nline2\n');
  });
  it('an empty stdin is REGISTRY_AUTH', async () => {
    await expect(readPasswordStdin(Readable.from([Buffer.from('\n')]))).rejects.toMatchObject({
      code: 'REGISTRY_AUTH',
      message: 'no password given on stdin',
    });
  });
});
