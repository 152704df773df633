// The GitHub Action's `mode: verify`, run as the runner runs dist/index.js: a public key (path and PEM
// text), a keyless identity, and a policy file, against models the Action itself signed. Every
// failure (tampered file, wrong identity, policy denial) fails the job with one `::error` annotation.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GITHUB_ISSUER,
  RECORDED_RUN,
  RUN_IDENTITY,
  errorLines,
  omsRootOf,
  runAction,
} from './action-process.js';
import { REPO } from './cli-process.js';
import { startSigstoreStack, type SigstoreStack } from './sigstore/stack.js';
import { keyPolicyYaml } from './policy/key-policy.js';

const KEY = path.join(REPO, 'fixtures/keys/test.key');
const PUB = path.join(REPO, 'fixtures/keys/test.pub');
const HINT = createHash('sha256').update(readFileSync(PUB)).digest('hex');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ms-action-verify-'));

let stack: SigstoreStack;
let tokenEnv: Record<string, string>;
let keyModel: string;
let keylessModel: string;

async function signedCopy(name: string, inputs: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name);
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), dir, { recursive: true });
  const r = await runAction({ 'model-path': dir, ...inputs }, tokenEnv);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return dir;
}

beforeAll(async () => {
  stack = await startSigstoreStack();
  tokenEnv = {
    ...RECORDED_RUN,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.ghaTokenURL}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.ghaRequestToken,
  };
  keyModel = await signedCopy('key-model', { key: KEY, 'key-password': 'modelseal-test' });
  keylessModel = await signedCopy('keyless-model', {
    'signing-config': stack.signingConfigPath,
    'trusted-root': stack.trustedRootPath,
  });
});
afterAll(async () => {
  await stack.close();
});

describe('mode: verify a model directory', () => {
  it('with the public key as a path and as PEM text: outputs and summary', async () => {
    const expected = omsRootOf(keyModel);
    for (const publicKey of [PUB, readFileSync(PUB, 'utf8')]) {
      const r = await runAction(
        { mode: 'verify', 'model-path': keyModel, 'public-key': publicKey },
        RECORDED_RUN,
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs).toEqual({
        verified: 'true',
        'oms-root': `sha256:${expected.root}`,
        signer: `key ${HINT}`,
      });
      expect(errorLines(r)).toEqual([]);
      expect(r.summary).toContain('<h3>modelseal: verified</h3>');
      expect(r.summary).toContain(`| Files | ${expected.files} |`);
      expect(r.summary).toContain(`| Total size | ${expected.bytes} bytes |`);
      expect(r.summary).toContain(`| Signer | key ${HINT} |`);
    }
  });

  it('a tampered file fails the job with an annotation on that file', async () => {
    const dir = path.join(tmp, 'tampered');
    cpSync(keyModel, dir, { recursive: true });
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const before = sha(path.join(dir, 'd0/f00'));
    appendFileSync(path.join(dir, 'd0/f00'), 'x');
    const after = sha(path.join(dir, 'd0/f00'));
    const r = await runAction({ mode: 'verify', 'model-path': dir, 'public-key': PUB }, RECORDED_RUN, tmp);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      `::error title=modelseal TAMPERED_FILE,file=tampered/d0/f00::error[TAMPERED_FILE]: model file 'd0/f00' does not match the signature (expected sha256:${before}, got sha256:${after})`,
    ]);
    expect(r.outputs).toEqual({ verified: 'false' });
    expect(r.summary).toContain('<h3>modelseal: failed</h3>');
  });

  it('keyless: the workflow identity verifies; another identity fails with IDENTITY_MISMATCH', async () => {
    const inputs = {
      mode: 'verify',
      'model-path': keylessModel,
      'trusted-root': stack.trustedRootPath,
      'certificate-oidc-issuer': GITHUB_ISSUER,
    };
    const ok = await runAction({ ...inputs, 'certificate-identity': RUN_IDENTITY }, RECORDED_RUN);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.outputs.signer).toBe(`${RUN_IDENTITY} (issuer ${GITHUB_ISSUER})`);
    const other = 'https://github.com/octo/other/.github/workflows/release.yml@refs/heads/main';
    const bad = await runAction({ ...inputs, 'certificate-identity': other }, RECORDED_RUN);
    expect(bad.code).toBe(1);
    expect(errorLines(bad)).toHaveLength(1);
    // a signature failure is annotated on the signature file, not on the model directory
    expect(errorLines(bad)[0]).toMatch(
      /^::error title=modelseal IDENTITY_MISMATCH,file=[^:]*keyless-model\/model\.sig::error\[IDENTITY_MISMATCH\]: /,
    );
    expect(bad.outputs).toEqual({ verified: 'false' });
  });

  it('another key: WRONG_KEY annotated on model.sig; an issuer without identity names Action inputs', async () => {
    const other = path.join(tmp, 'other.pub');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(other, publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await runAction(
      { mode: 'verify', 'model-path': keyModel, 'public-key': other },
      RECORDED_RUN,
      tmp,
    );
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toMatch(
      /^::error title=modelseal WRONG_KEY,file=key-model\/model\.sig::error\[WRONG_KEY\]: /,
    );
    expect(r.outputs).toEqual({ verified: 'false' });
    const onlyIssuer = await runAction(
      { mode: 'verify', 'model-path': keylessModel, 'certificate-oidc-issuer': GITHUB_ISSUER },
      RECORDED_RUN,
    );
    expect(onlyIssuer.code).toBe(1);
    expect(errorLines(onlyIssuer)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: keyless verification needs the expected certificate identity (option identity or identityRegExp); accepting any signer is not allowed; set the input 'certificate-identity' (or 'certificate-identity-regexp')",
    ]);
  });

  it('no trust input, or two, is one usage error', async () => {
    const r = await runAction({ mode: 'verify', 'model-path': keyModel }, RECORDED_RUN);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: mode 'verify' needs exactly one way to say whom to trust: 'policy', 'public-key', or 'certificate-identity' (or -regexp) with 'certificate-oidc-issuer' (or -regexp)",
    ]);
  });
});

describe('mode: verify against a policy', () => {
  const policy = (name: string, builderRegExp: string) => {
    const f = path.join(tmp, `${name}.yaml`);
    writeFileSync(
      f,
      keyPolicyYaml({
        name,
        publicKeyPem: readFileSync(PUB, 'utf8'),
        provenance: {
          builderRegExp,
          maxLevel: 2,
          buildTypes: ['https://actions.github.io/buildtypes/workflow/v1'],
        },
        sbom: {},
      }),
    );
    return f;
  };

  it('allowed: every check is in the summary', async () => {
    const f = policy(
      'octo-release',
      'https://github\\.com/octo/model/\\.github/workflows/release\\.yml@refs/heads/main',
    );
    const r = await runAction({ mode: 'verify', 'model-path': keyModel, policy: f }, RECORDED_RUN);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toEqual({
      verified: 'true',
      policy: 'allowed',
      'oms-root': `sha256:${omsRootOf(keyModel).root}`,
      signer: `key ${HINT}`,
    });
    expect(r.stdout).toContain(`policy octo-release: allowed for ${keyModel}, signed by key ${HINT}\n`);
    expect(r.summary).toContain('<h3>modelseal: verified</h3>');
    expect(r.summary).toMatch(/\| Policy \| octo-release \(`sha256:[0-9a-f]{64}`, enforce\) \|/);
    expect(r.summary).toContain('| SLSA build level | 2 |');
    expect(r.summary).toMatch(/\| signatures\.oms \| pass: /);
    expect(r.summary).toMatch(/\| provenance\.builder \| pass: /);
  });

  it('denied: the job fails with the failed check as an annotation', async () => {
    const f = policy('other-builder', 'https://github\\.com/octo/other/.*');
    const r = await runAction({ mode: 'verify', 'model-path': keyModel, policy: f }, RECORDED_RUN, tmp);
    expect(r.code).toBe(1);
    const lines = errorLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^::error title=modelseal PROVENANCE_REJECTED,file=key-model::error\[PROVENANCE_REJECTED\]: /,
    );
    expect(r.summary).toContain('<h3>modelseal: policy denied</h3>');
    expect(r.summary).toMatch(/\| provenance\.builder \| FAIL: /);
    expect(r.outputs).toEqual({ verified: 'false' });
  });

  it('audit mode: a waived denial passes the step but never says verified=true', async () => {
    const f = path.join(tmp, 'audit.yaml');
    writeFileSync(
      f,
      keyPolicyYaml({
        name: 'audit',
        mode: 'audit',
        publicKeyPem: readFileSync(PUB, 'utf8'),
        provenance: { builderRegExp: 'https://github\\.com/octo/other/.*', maxLevel: 2 },
      }),
    );
    const r = await runAction({ mode: 'verify', 'model-path': keyModel, policy: f }, RECORDED_RUN, tmp);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ verified: 'false', policy: 'denied-audit' });
    expect(r.summary).toContain('<h3>modelseal: denied (audit mode)</h3>');
    expect(r.summary).toMatch(/\| provenance\.builder \| FAIL: /);
  });
});
