// The `verify` verb over both kinds of source, with real files, a real OCI layout and a real key: the
// same signer verified on disk (files re-hashed) and where the artifact is stored (referrers bound to
// the manifest); options that only apply on disk are refused for an artifact before it is opened.
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pushModel } from '../oci/push-model.js';
import { keySigner } from '../sign/key-signer.js';
import { sign } from '../sign/sign.js';
import { artifactSource } from '../source/open-model-source.js';
import { keyVerifier } from './key-verifier.js';
import { verify } from './verify.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-verify-verb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const trainer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = keySigner({ privateKey: trainer.privateKey });

describe('verify', () => {
  it('verifies a model on disk and its pushed artifact with one verb, over the same OMS root', async () => {
    const dir = path.join(tmp, 'm');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.json'), '{"model_type":"bert"}');
    writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(4096, 7));
    const signed = await sign(dir, { signer });
    const ref = `oci:${path.join(tmp, 'layout')}:v1`;
    const pushed = await pushModel(dir, ref);
    await sign(ref, { signer });

    const onDisk = await verify(dir, { verifier: keyVerifier({ publicKey: trainer.publicKey }) });
    expect(onDisk).toMatchObject({ kind: 'directory', verified: true, files: 2 });
    if (onDisk.kind === 'directory') expect(onDisk.manifest.root).toBe(signed.manifest.root);

    const stored = await verify(artifactSource(ref), {
      verifier: keyVerifier({ publicKey: trainer.publicKey }),
    });
    expect(stored).toMatchObject({ kind: 'artifact', verified: true, digest: pushed.digest });
    expect(stored.signed?.root).toBe(signed.manifest.root);
    expect(stored.checks.map((c) => [c.kind, c.verified])).toEqual(
      expect.arrayContaining([
        ['oms', true],
        ['cosign', true],
      ]),
    );

    // the wrong key fails on both sides with the verifier's code
    const wrong = keyVerifier({ publicKey: other.publicKey });
    await expect(verify(dir, { verifier: wrong })).rejects.toMatchObject({ code: 'WRONG_KEY' });
    await expect(verify(ref, { verifier: wrong })).rejects.toMatchObject({ code: 'WRONG_KEY' });
    // a changed file fails on disk
    appendFileSync(path.join(dir, 'weights.bin'), 'x');
    await expect(
      verify(dir, { verifier: keyVerifier({ publicKey: trainer.publicKey }) }),
    ).rejects.toMatchObject({ code: 'TAMPERED_FILE' });
  });

  it('an option for a model on disk is USAGE for an artifact, before the artifact is opened', async () => {
    const layout = path.join(tmp, 'never-opened');
    const verifier = keyVerifier({ publicKey: trainer.publicKey });
    for (const extra of [{ signaturePath: 'x.sig' }, { ignoreUnsignedFiles: true }, { strict: true }]) {
      await expect(verify(`oci:${layout}:v1`, { verifier, ...extra })).rejects.toMatchObject({
        code: 'USAGE',
        message: expect.stringMatching(
          /^option (signaturePath|ignoreUnsignedFiles|strict) is for a model on disk; /,
        ),
      });
    }
    expect(existsSync(layout)).toBe(false);
  });

  it('a path that does not exist is NOT_FOUND', async () => {
    const verifier = keyVerifier({ publicKey: trainer.publicKey });
    await expect(verify(path.join(tmp, 'typo'), { verifier })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
