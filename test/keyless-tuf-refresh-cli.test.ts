// --tuf-refresh and --tuf-cache-dir through the CLI process, offline: a TUF repository made here is
// served as https://tuf-repo-cdn.sigstore.dev (test/sigstore/tuf-mirror.ts) and publishes the local
// Sigstore stack's trusted_root.json. A cache directory that starts from that repository's root.json
// refreshes and verifies; one that starts from the shipped public-good root refuses the repository.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO } from './cli-process.js';
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER, type SigstoreStack } from './sigstore/stack.js';
import { PUBLIC_GOOD_TUF_HOST, startTufMirror, type TufMirror } from './sigstore/tuf-mirror.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-tuf-refresh-'));
const model = path.join(tmp, 'model');
const sig = path.join(tmp, 'model.sig');
let stack: SigstoreStack;
let mirror: TufMirror;

/** The CLI, asynchronously (the stack and the mirror live in this process), without ambient tokens. */
function modelseal(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(SIGSTORE_ID_TOKEN|ACTIONS_ID_TOKEN_REQUEST_\w+|MODELSEAL_DEBUG|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY|proxy|NODE_EXTRA_CA_CERTS)$/.test(
          k,
        ),
    ),
  );
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { cwd: tmp, env: { ...base, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  stack = await startSigstoreStack();
  mirror = await startTufMirror(path.join(tmp, 'mirror'), readFileSync(stack.trustedRootPath));
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), model, { recursive: true });
  const s = await modelseal([
    'sign',
    model,
    '--signature',
    sig,
    '--signing-config',
    stack.signingConfigPath,
    '--identity-token',
    stack.token(),
  ]);
  expect(s.code, s.stderr).toBe(0);
});

afterAll(async () => {
  await mirror?.close();
  await stack?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const verifyArgs = (cacheDir: string) => [
  'verify',
  model,
  '--signature',
  sig,
  '--certificate-identity',
  TEST_EMAIL,
  '--certificate-oidc-issuer',
  TEST_ISSUER,
  '--tuf-refresh',
  '--tuf-cache-dir',
  cacheDir,
];

describe('--tuf-refresh with --tuf-cache-dir', () => {
  it('refreshes from the repository the cache trusts, fetches trusted_root.json over HTTPS, and verifies', async () => {
    const cacheDir = path.join(tmp, 'cache-ours');
    mkdirSync(path.join(cacheDir, PUBLIC_GOOD_TUF_HOST), { recursive: true });
    writeFileSync(path.join(cacheDir, PUBLIC_GOOD_TUF_HOST, 'root.json'), mirror.rootJson);
    const r = await modelseal(verifyArgs(cacheDir), mirror.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^verified /);
    expect(new Set(mirror.connects)).toEqual(new Set([`${PUBLIC_GOOD_TUF_HOST}:443`])); // via HTTPS_PROXY, TLS inside
    expect(mirror.paths).toEqual([
      '/2.root.json',
      '/timestamp.json',
      '/snapshot.json',
      '/targets.json',
      '/targets/trusted_root.json',
    ]);
    // the refreshed metadata and the target landed in the given cache directory
    const repo = path.join(cacheDir, PUBLIC_GOOD_TUF_HOST);
    expect(readdirSync(repo).sort()).toEqual([
      'root.json',
      'snapshot.json',
      'targets',
      'targets.json',
      'timestamp.json',
    ]);
    expect(
      readFileSync(path.join(repo, 'targets/trusted_root.json')).equals(readFileSync(stack.trustedRootPath)),
    ).toBe(true);
  });

  it('a cache directory seeded with the public-good root refuses that repository: exit 2 TRUST_ROOT', async () => {
    const cacheDir = path.join(tmp, 'cache-public-good');
    const before = mirror.paths.length;
    const r = await modelseal(verifyArgs(cacheDir), mirror.env);
    expect(r.stderr).toMatch(
      /^modelseal: error\[TRUST_ROOT\]: TUF refresh from https:\/\/tuf-repo-cdn\.sigstore\.dev failed: .+\n$/,
    );
    expect(r.code).toBe(2);
    expect(mirror.paths.length).toBeGreaterThan(before);
    expect(existsSync(path.join(cacheDir, PUBLIC_GOOD_TUF_HOST, 'root.json'))).toBe(true);
    expect(existsSync(path.join(cacheDir, PUBLIC_GOOD_TUF_HOST, 'targets.json'))).toBe(false);
  });
});
