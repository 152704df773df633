// The library verbs with keyless signing: sign({signer: keylessSigner(...)}) and
// verify({verifier: keylessVerifier(...)}) or verify({identity, issuer, trustedRoot}) against the local Sigstore stack.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keylessSigner, keylessVerifier, sign, verify } from '../packages/core/src/index.js';
import { loadTrustedRoot } from '../packages/core/src/sigstore.js';
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER, type SigstoreStack } from './sigstore/stack.js';
import { signedOnDisk, verifiedOnDisk } from './sign-result-kind.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-keyless-lib-'));
let stack: SigstoreStack;
beforeAll(async () => {
  stack = await startSigstoreStack();
});
afterAll(async () => {
  await stack?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** fixtures/models/sample-model's root, the Python model_signing golden for sample_model_folder. */
const SAMPLE_ROOT = '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7';

describe('keyless library API', () => {
  it('sign + verify round trip, then a changed file fails', async () => {
    const model = path.join(tmp, 'sample-model');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
    const signed = signedOnDisk(
      await sign(model, {
        signer: keylessSigner({ signingConfig: stack.signingConfigPath, identityToken: stack.token() }),
        jobs: 1,
      }),
    );
    expect(signed.signaturePath).toBe(path.join(model, 'model.sig'));
    expect(
      JSON.parse(readFileSync(signed.signaturePath, 'utf8')).verificationMaterial.certificate.rawBytes,
    ).toMatch(/^MII/);

    const verifier = keylessVerifier({
      identity: TEST_EMAIL,
      issuer: TEST_ISSUER,
      trustedRoot: await loadTrustedRoot({ kind: 'file', path: stack.trustedRootPath }),
    });
    const r = verifiedOnDisk(await verify(model, { verifier, jobs: 1 }));
    expect(signed.manifest.root).toBe(SAMPLE_ROOT);
    expect(r.manifest.root).toBe(SAMPLE_ROOT);
    expect(r.signer).toMatchObject({ kind: 'keyless', identity: TEST_EMAIL, issuer: TEST_ISSUER });

    writeFileSync(path.join(model, 'f1'), 'changed');
    await expect(verify(model, { verifier, jobs: 1 })).rejects.toMatchObject({ code: 'TAMPERED_FILE' });
  });

  it('keylessVerifier defaults to the public-good root: a local-stack signature is UNTRUSTED_CHAIN there', async () => {
    const model = path.join(tmp, 'sample-model-2');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
    await sign(model, {
      signer: keylessSigner({ signingConfig: stack.signingConfigPath, identityToken: stack.token() }),
      jobs: 1,
    });
    await expect(
      verify(model, {
        verifier: keylessVerifier({ identity: TEST_EMAIL, issuer: TEST_ISSUER }),
        jobs: 1,
      }),
    ).rejects.toMatchObject({
      code: 'UNTRUSTED_CHAIN',
    });
  });

  it('verify({identity, issuer, trustedRoot}) is the keyless shorthand; a wrong identity fails', async () => {
    const model = path.join(tmp, 'sample-model-3');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
    const signed = signedOnDisk(
      await sign(model, {
        signer: keylessSigner({ signingConfig: stack.signingConfigPath, identityToken: stack.token() }),
        jobs: 1,
      }),
    );
    const r = verifiedOnDisk(
      await verify(model, {
        identity: TEST_EMAIL,
        issuer: TEST_ISSUER,
        trustedRoot: stack.trustedRootPath,
        jobs: 1,
      }),
    );
    expect(signed.manifest.root).toBe(SAMPLE_ROOT);
    expect(r.manifest.root).toBe(SAMPLE_ROOT);
    expect(r.signer).toMatchObject({ kind: 'keyless', identity: TEST_EMAIL });
    await expect(
      verify(model, {
        identity: `x${TEST_EMAIL}`,
        issuer: TEST_ISSUER,
        trustedRoot: stack.trustedRootPath,
        jobs: 1,
      }),
    ).rejects.toMatchObject({ code: 'IDENTITY_MISMATCH' });
  });
});
