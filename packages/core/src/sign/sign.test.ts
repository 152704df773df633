// The `sign` verb over both kinds of source, with real files, a real OCI layout and a real key: a
// directory gets model.sig, an artifact its two referrers over the same OMS root; options that only
// apply on disk are refused for an artifact before it is opened; a missing path is NOT_FOUND.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pushModel } from '../oci/push-model.js';
import { artifactSource } from '../source/open-model-source.js';
import { keyVerifier } from '../verify/key-verifier.js';
import { verify } from '../verify/verify.js';
import { keySigner } from './key-signer.js';
import { sign } from './sign.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-sign-verb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = keySigner({ privateKey });

function model(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'config.json'), '{"model_type":"bert"}');
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(4096, 7));
  return dir;
}

describe('sign', () => {
  it('signs a directory beside it and the pushed artifact over the same OMS root', async () => {
    const dir = model('m');
    const onDisk = await sign(dir, { signer });
    expect(onDisk.kind).toBe('directory');
    if (onDisk.kind !== 'directory') return;
    expect(onDisk.signaturePath).toBe(path.join(dir, 'model.sig'));
    const verified = await verify(dir, { verifier: keyVerifier({ publicKey }) });
    expect(verified).toMatchObject({ kind: 'directory', manifest: { root: onDisk.manifest.root } });

    const ref = `oci:${path.join(tmp, 'layout')}:v1`;
    const pushed = await pushModel(dir, ref);
    const stored = await sign(ref, { signer });
    expect(stored.kind).toBe('artifact');
    if (stored.kind !== 'artifact') return;
    expect(stored.digest).toBe(pushed.digest);
    // one OMS statement for both kinds: the layers' files are the directory's files
    expect(stored.root).toBe(onDisk.manifest.root);
    expect(stored.manifest.root).toBe(onDisk.manifest.root);
    expect(stored.oms.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stored.cosign.digest).not.toBe(stored.oms.digest);
  });

  it('an already opened artifact source is signed as an artifact, whatever exists on disk by that name', async () => {
    const dir = model('n');
    const layout = path.join(tmp, 'layout-n');
    await pushModel(dir, `oci:${layout}:v1`);
    const r = await sign(artifactSource(`oci:${layout}:v1`), { signer });
    expect(r.kind).toBe('artifact');
    expect(r.root).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an option for a model on disk is USAGE for an artifact, before the artifact is opened', async () => {
    const layout = path.join(tmp, 'never-opened');
    for (const extra of [{ signaturePath: 'x.sig' }, { overwrite: true }, { ignorePaths: ['a'] }]) {
      await expect(sign(`oci:${layout}:v1`, { signer, ...extra })).rejects.toMatchObject({
        code: 'USAGE',
        message: expect.stringMatching(
          /^option (signaturePath|overwrite|ignorePaths) is for a model on disk; /,
        ),
      });
    }
    expect(existsSync(layout)).toBe(false);
  });

  it('a path that does not exist is NOT_FOUND, and nothing is written', async () => {
    await expect(sign(path.join(tmp, 'typo'), { signer })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(path.join(tmp, 'typo'))).toBe(false);
  });
});
