// The Python model_signing keyless vectors (public-good Sigstore) verify offline as models, through
// verify and through the CLI, against the public-good root shipped with @sigstore/tuf.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { keylessVerifier, verify } from '../packages/core/src/index.js';
import { VECTORS_DIR } from './shared-vectors.js';
import { verifiedOnDisk } from './sign-result-kind.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const PY = path.join(VECTORS_DIR, 'oms-python');
const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';
const ROOT = '61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226';
const VERSIONS = ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'];
const ignoreFor = (v: string) => (v === 'v0.3.1' || v === 'v1.0.0' ? [] : ['ignore-me']);

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-keyless-vectors-'));
// dist/ is rebuilt when stale by test/global-setup.ts before any test file runs.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyVector(v: string): string {
  const dir = path.join(mkdtempSync(path.join(tmp, `${v}-`)), `${v}-sigstore`);
  cpSync(path.join(PY, `${v}-sigstore`), dir, { recursive: true });
  return dir;
}

function modelseal(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: tmp, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('Python model_signing keyless vectors, offline', () => {
  for (const v of VERSIONS) {
    it(`${v}-sigstore verifies as a model with ${IDENTITY} / ${ISSUER}`, async () => {
      const model = copyVector(v);
      const r = verifiedOnDisk(
        await verify(model, {
          verifier: keylessVerifier({ identity: IDENTITY, issuer: ISSUER }),
          ignorePaths: ignoreFor(v),
          jobs: 1,
        }),
      );
      expect(r.manifest.root).toBe(ROOT);
      expect(r.files).toBe(2);
      expect(r.signer).toMatchObject({ kind: 'keyless', identity: IDENTITY, issuer: ISSUER });
    });

    it(`${v}-sigstore fails with any other identity or issuer, and when a file changes`, async () => {
      const model = copyVector(v);
      const code = (p: Promise<unknown>) =>
        p.then(
          () => 'PASSED',
          (e: { code: string }) => e.code,
        );
      const run = (identity: string, issuer: string) =>
        verify(model, {
          verifier: keylessVerifier({ identity, issuer }),
          ignorePaths: ignoreFor(v),
          jobs: 1,
        });
      expect(await code(run('stefanb@us.ibm.co', ISSUER))).toBe('IDENTITY_MISMATCH');
      expect(await code(run('Stefanb@us.ibm.com', ISSUER))).toBe('IDENTITY_MISMATCH');
      expect(await code(run(IDENTITY, 'https://sigstore.verify.ibm.com/oauth'))).toBe('ISSUER_MISMATCH');
      writeFileSync(path.join(model, 'signme-1'), 'changed\n');
      expect(await code(run(IDENTITY, ISSUER))).toBe('TAMPERED_FILE');
    });
  }

  it('the CLI verifies v1.1.0-sigstore with the shipped public-good root, and rejects another identity', async () => {
    const model = copyVector('v1.1.0');
    const ok = await modelseal([
      'verify',
      model,
      '--certificate-identity',
      IDENTITY,
      '--certificate-oidc-issuer',
      ISSUER,
      '--ignore-paths',
      path.join(model, 'ignore-me'),
    ]);
    expect(ok.stderr).toBe(
      `modelseal: warning: 'ignore-me' exists in ${model} but no signature covers it (verify ignores it)\n`,
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      `verified ${model}: sha256:${ROOT}, 2 files, signed by ${IDENTITY} (issuer ${ISSUER})\n`,
    );
    const bad = await modelseal([
      'verify',
      model,
      '--certificate-identity',
      'someone@us.ibm.com',
      '--certificate-oidc-issuer',
      ISSUER,
      '--ignore-paths',
      path.join(model, 'ignore-me'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^modelseal: error\[IDENTITY_MISMATCH\]: .*"stefanb@us\.ibm\.com" does not match the expected "someone@us\.ibm\.com"\n$/,
    );
  });
});
