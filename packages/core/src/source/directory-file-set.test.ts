// directoryFileSet on real files: a model on disk hashed as its signature says, so bindEvidence
// binds the signature of exactly these files and nothing else (a changed file, an extra file, a
// path verify ignores under strict).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashModel } from '../model/hash-model.js';
import { buildStatement, parseStatement } from '../oms/statement.js';
import { directoryFileSet } from './directory-file-set.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-dirset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function signedModel(name: string) {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'model.safetensors'), 'weights');
  writeFileSync(path.join(dir, 'config.json'), '{}');
  const signaturePath = path.join(dir, 'model.sig');
  const manifest = await hashModel(dir, { signaturePath });
  return { dir, signaturePath, signed: parseStatement(buildStatement(manifest), 'model.sig') };
}

describe('directoryFileSet', () => {
  it('gives the files as the signature names them; a change shows in the digests', async () => {
    const { dir, signaturePath, signed } = await signedModel('a');
    const files = directoryFileSet(dir, { signaturePath });
    expect(await files(signed)).toEqual(signed.resources);
    writeFileSync(path.join(dir, 'model.safetensors'), 'evil');
    const after = await files(signed);
    expect(after.map((r) => r.name)).toEqual(signed.resources.map((r) => r.name));
    expect(after.find((r) => r.name === 'model.safetensors')?.digest).not.toBe(
      signed.resources.find((r) => r.name === 'model.safetensors')?.digest,
    );
  });

  it('strict: a .git directory the signature leaves out unbinds it with IGNORED_PATH', async () => {
    const { dir, signaturePath, signed } = await signedModel('b');
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: x');
    expect(await directoryFileSet(dir, { signaturePath })(signed)).toEqual(signed.resources);
    await expect(directoryFileSet(dir, { signaturePath, strict: true })(signed)).rejects.toMatchObject({
      code: 'IGNORED_PATH',
    });
  });
});
