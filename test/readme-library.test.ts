// Runs the README's "Using the library" example (key and OCI parts) against a copy of the fixture
// model, importing the built package by its name and subpath exports as a user does, so that the
// documented API keeps working as documented.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  hashModel,
  keySigner,
  keyVerifier,
  pullModel,
  pushModel,
  sign,
  verify,
} from '@modelseal/core';
import { loadPrivateKeyFile, loadPublicKeyFile } from '@modelseal/core/keys';
import { verifiedOnDisk } from './sign-result-kind.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('README library example', () => {
  it('hash, sign with a cosign key, verify, push to a layout, pull verified, then a tamper fails', async () => {
    const model = path.join(tmp, 'my-model');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
    const password = 'readme-password';
    await generateKeyPair({ outputPrefix: path.join(tmp, 'mykey'), password });

    const manifest = await hashModel(model, { jobs: 2 });
    expect(manifest.root).toBe('143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7');

    const privateKey = await loadPrivateKeyFile(path.join(tmp, 'mykey.key'), { password });
    await sign(model, { signer: keySigner({ privateKey }) });
    const bundle = JSON.parse(readFileSync(path.join(model, 'model.sig'), 'utf8'));
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');

    const publicKey = await loadPublicKeyFile(path.join(tmp, 'mykey.pub'));
    const result = verifiedOnDisk(await verify(model, { verifier: keyVerifier({ publicKey }) }));
    expect(result.manifest.root).toBe('143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7');

    const layout = path.join(tmp, 'layout');
    const { digest } = await pushModel(model, `oci:${layout}:v1`);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const deployed = path.join(tmp, 'deployed-model');
    await pullModel(`oci:${layout}@${digest}`, deployed);
    // push leaves the signature out (as hash does): the pulled model is checked against it
    const signaturePath = path.join(model, 'model.sig');
    expect(
      verifiedOnDisk(await verify(deployed, { verifier: keyVerifier({ publicKey }), signaturePath })).manifest
        .root,
    ).toBe(manifest.root);

    writeFileSync(path.join(deployed, 'f0'), 'poisoned');
    await expect(
      verify(deployed, { verifier: keyVerifier({ publicKey }), signaturePath }),
    ).rejects.toMatchObject({
      code: 'TAMPERED_FILE',
      kind: 'verification',
    });
  });
});
