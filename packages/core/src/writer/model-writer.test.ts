// createModelWriter on a real directory with a real key: the digests hashed while writing give the
// same root as hashModel afterwards, nothing written through the writer is read again, a file
// changed after it was written (even while the signer works) is hashed again, never signed stale.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashModel } from '../model/hash-model.js';
import { newKeyPair } from '../keys/generate-key-pair.js';
import { keySigner } from '../sign/key-signer.js';
import type { BundleSigner } from '../sign/signer.js';
import { keyVerifier } from '../verify/key-verifier.js';
import { verify } from '../verify/verify.js';
import { createModelWriter } from './model-writer.js';

const keys = newKeyPair();
const signer = keySigner({ privateKey: keys.privateKey });
const verifier = keyVerifier({ publicKey: keys.publicKey });
let tmp: string;

beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'modelseal-writer-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bytes that differ at every offset, so that a shard boundary off by one changes the digest. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Write `bytes` through `w.file(name)` in chunks of `chunk` bytes. */
async function writeThrough(
  w: ReturnType<typeof createModelWriter>,
  name: string,
  bytes: Buffer,
  chunk = 7000,
) {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  await pipeline(Readable.from(parts), w.file(name));
}

describe('createModelWriter', () => {
  it.each([
    ['files', {}],
    ['shards', { method: 'shards' as const, shardSize: 4096 }],
    ['blake3 shards', { method: 'shards' as const, shardSize: 10_000, hashType: 'blake3' as const }],
  ])(
    '%s: the signed root equals hashModel run afterwards; only the file written elsewhere is hashed',
    async (_, cfg) => {
      const dir = join(tmp, `m-${_.replace(' ', '-')}`);
      const w = createModelWriter(dir, cfg);
      await writeThrough(w, 'model-00001-of-00002.safetensors', pattern(50_000, 1));
      await writeThrough(w, 'model-00002-of-00002.safetensors', pattern(8192, 2)); // exactly two shards
      await writeThrough(w, 'sub/empty.bin', Buffer.alloc(0));
      writeFileSync(join(dir, 'config.json'), '{"layers": 2}\n'); // not through the writer
      const result = await w.finish({ signer });
      expect(result.hashed).toEqual(['config.json']);
      const after = await hashModel(dir, cfg);
      expect(result.manifest.root).toBe(after.root);
      expect(result.manifest.resources).toEqual(after.resources);
      expect(result.signaturePath).toBe(join(dir, 'model.sig'));
      const verified = await verify(dir, { verifier });
      expect(verified).toMatchObject({ kind: 'directory', manifest: { root: after.root } });
      // no temporary file is left behind
      expect(readdirSync(dir).filter((n) => n.includes('.modelseal-'))).toEqual([]);
    },
  );

  it('a file changed after it was written is hashed again at finish, never signed stale', async () => {
    const dir = join(tmp, 'changed');
    const w = createModelWriter(dir);
    await writeThrough(w, 'a.bin', pattern(20_000, 3));
    await writeThrough(w, 'b.bin', pattern(20_000, 4));
    appendFileSync(join(dir, 'a.bin'), 'tampered');
    const result = await w.finish({ signer });
    expect(result.hashed).toEqual(['a.bin']);
    expect(result.manifest.root).toBe((await hashModel(dir)).root);
    await expect(verify(dir, { verifier })).resolves.toBeTruthy();
  });

  it('a file changed while the signer works is hashed again and signed again', async () => {
    const dir = join(tmp, 'during-sign');
    const w = createModelWriter(dir);
    await writeThrough(w, 'w.bin', pattern(30_000, 5));
    let calls = 0;
    const meddling: BundleSigner = {
      kind: 'key',
      signStatement: async (statement, type) => {
        if (calls++ === 0) appendFileSync(join(dir, 'w.bin'), 'late write');
        return signer.signStatement(statement, type);
      },
    };
    const result = await w.finish({ signer: meddling });
    expect(calls).toBe(2);
    expect(result.hashed).toEqual(['w.bin']);
    expect(result.manifest.root).toBe((await hashModel(dir)).root);
    await expect(verify(dir, { verifier })).resolves.toBeTruthy();
  });

  it('refuses unsafe names, the signature name, a second open stream and an open stream at finish', async () => {
    const dir = join(tmp, 'refusals');
    const w = createModelWriter(dir);
    for (const bad of ['../x', '/etc/passwd', 'a//b', 'a/./b', 'nul\0'])
      expect(() => w.file(bad)).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
    expect(() => w.file('model.sig')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    const s = w.file('open.bin');
    expect(() => w.file('open.bin')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    s.write(Buffer.from('partial'));
    await expect(w.finish({ signer })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('open.bin'),
    });
    s.destroy();
    await new Promise((r) => s.once('close', r));
    expect(readdirSync(dir)).toEqual([]); // the destroyed stream's temporary file is gone
  });

  it('a signature already there is kept unless overwrite is given', async () => {
    const dir = join(tmp, 'overwrite');
    const w = createModelWriter(dir);
    await writeThrough(w, 'x.bin', pattern(100, 6));
    await w.finish({ signer });
    await expect(w.finish({ signer })).rejects.toMatchObject({ code: 'DEST_EXISTS' });
    await expect(w.finish({ signer, overwrite: true })).resolves.toMatchObject({ hashed: [] });
  });
});
