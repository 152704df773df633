import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkModel } from '../model/walk-model.js';
import { ModelsealError } from '../errors.js';
import type { HashingConfig, Progress } from '../types.js';
import { hashFiles } from './hash-files.js';
import { modelDirs } from '../../../../test/model-dirs.js';

const dirs = modelDirs('ms-hashfiles-');
const { model } = dirs;
afterAll(() => dirs.cleanup());

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const FILES: HashingConfig = { method: 'files', hashType: 'sha256', shardSize: 1_000_000_000 };
const shards = (n: number): HashingConfig => ({ method: 'shards', hashType: 'sha256', shardSize: n });
const TEXT = 'This is a simple model';

describe('hashFiles', () => {
  it('hashes each file (empty files included) with independent whole-buffer digests', async () => {
    const big = randomBytes(2 * 1024 * 1024 + 100_000); // crosses the read size once
    const m = model({ 'a.bin': big, 'b/empty': '', 'c.txt': TEXT });
    const tree = await walkModel(m);
    for (const inlineMaxBytes of [undefined, 0]) {
      const res = await hashFiles(tree, { config: FILES, jobs: 2, inlineMaxBytes });
      expect(res).toEqual([
        { name: 'a.bin', algorithm: 'sha256', digest: sha256(big) },
        {
          name: 'b/empty',
          algorithm: 'sha256',
          digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        },
        {
          name: 'c.txt',
          algorithm: 'sha256',
          digest: '3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b',
        },
      ]);
    }
  });

  it('splits files into [start, end) shards: size 8 over 22 bytes -> 0:8, 8:16, 16:22', async () => {
    const m = model({ 'model.bin': TEXT });
    const single = await walkModel(path.join(m, 'model.bin'));
    const res = await hashFiles(single, { config: shards(8), inlineMaxBytes: 0, jobs: 2 });
    expect(res).toEqual([
      {
        name: '.:0:8',
        algorithm: 'sha256-sharded-8',
        digest: 'a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0',
      },
      {
        name: '.:8:16',
        algorithm: 'sha256-sharded-8',
        digest: 'bd762002a3528a27fb9a8822f822b949d3c9ab7e860af33039c9aa70ebbbe682',
      },
      {
        name: '.:16:22',
        algorithm: 'sha256-sharded-8',
        digest: 'a791e1e893ea4260c77475725101fb4cc6ad85f6340f21f10b239184e318cd21',
      },
    ]);
  });

  it('orders shards by path bytes then numeric start; an empty file is the one shard path:0:0', async () => {
    const data = randomBytes(100);
    const m = model({ 'x/\u00e9': data, 'x/z': data.subarray(0, 10), 'x/empty': '' });
    const res = await hashFiles(await walkModel(m), { config: shards(8), jobs: 3, inlineMaxBytes: 0 });
    const expected = [
      { name: 'x/empty:0:0', b: Buffer.alloc(0) },
      ...[0, 8].map((s) => ({
        name: `x/z:${s}:${Math.min(s + 8, 10)}`,
        b: data.subarray(s, Math.min(s + 8, 10)),
      })),
      ...Array.from({ length: 13 }, (_, k) => k * 8).map((s) => ({
        name: `x/\u00e9:${s}:${Math.min(s + 8, 100)}`,
        b: data.subarray(s, Math.min(s + 8, 100)),
      })),
    ];
    expect(res.map((r) => r.name)).toEqual(expected.map((e) => e.name));
    expect(res.map((r) => r.name).slice(-3)).toEqual(['x/\u00e9:80:88', 'x/\u00e9:88:96', 'x/\u00e9:96:100']);
    expect(res.map((r) => r.digest)).toEqual(expected.map((e) => sha256(e.b)));
  });

  it('jobs=1 and jobs=4, inline and on workers, give identical results for every hash type', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 300; i++) files[`s/${i}`] = randomBytes(i * 37);
    files['big'] = randomBytes(3_000_000);
    const tree = await walkModel(model(files));
    for (const hashType of ['sha256', 'blake2b', 'blake3'] as const) {
      for (const method of ['files', 'shards'] as const) {
        const config: HashingConfig = { method, hashType, shardSize: 1_000_000 };
        const one = await hashFiles(tree, { config, jobs: 1, inlineMaxBytes: 0 });
        const four = await hashFiles(tree, { config, jobs: 4, inlineMaxBytes: 0 });
        const inline = await hashFiles(tree, { config, jobs: 4, inlineMaxBytes: Infinity });
        expect(four).toEqual(one);
        expect(inline.length).toBe(one.length);
        expect(one[0].digest.length).toBe(hashType === 'blake2b' ? 128 : 64);
        expect(one[0].algorithm).toBe(method === 'files' ? hashType : `${hashType}-sharded-1000000`);
      }
    }
    const sha = await hashFiles(tree, { config: FILES, jobs: 2, inlineMaxBytes: 0 });
    expect(sha.find((r) => r.name === 's/7')?.digest).toBe(sha256(files['s/7']));
  });

  it('sorts resources by UTF-8 bytes even when given an unsorted tree', async () => {
    const tree = await walkModel(model({ 'a/b': '1', 'a-b': '2', '\u{1F600}': '3', '\uFFFD': '4' }));
    const shuffled = { ...tree, files: [...tree.files].reverse() };
    const res = await hashFiles(shuffled, { config: FILES });
    expect(res.map((r) => r.name)).toEqual(['a-b', 'a/b', '\uFFFD', '\u{1F600}']);
    expect(tree.files.map((f) => f.name)).toEqual(['a-b', 'a/b', '\uFFFD', '\u{1F600}']);
  });

  it('hashes only files that pass the filter', async () => {
    const m = model({ a: 'a', b: 'b', c: 'c' });
    const res = await hashFiles(await walkModel(m), { config: FILES, filter: (n) => n !== 'b' });
    expect(res.map((r) => r.name)).toEqual(['a', 'c']);
  });

  it('reports progress up to the total', async () => {
    const m = model({ a: randomBytes(1000), b: randomBytes(500) });
    const seen: Progress[] = [];
    await hashFiles(await walkModel(m), {
      config: FILES,
      inlineMaxBytes: 0,
      onProgress: (p) => seen.push({ ...p }),
    });
    expect(seen[0]).toEqual({ bytesDone: 0, bytesTotal: 1500 });
    expect(seen[seen.length - 1]).toEqual({ bytesDone: 1500, bytesTotal: 1500 });
  });

  it('rejects bad settings with USAGE', async () => {
    const tree = await walkModel(model({ a: 'a' }));
    await expect(hashFiles(tree, { config: FILES, jobs: 0 })).rejects.toThrow(
      'jobs must be a positive integer, got 0',
    );
    await expect(hashFiles(tree, { config: shards(0) })).rejects.toThrow(
      'shard size must be a positive integer, got 0',
    );
    await expect(hashFiles(tree, { config: { ...FILES, hashType: 'md5' as never } })).rejects.toThrow(
      "unsupported hash type 'md5' (use sha256, blake2b or blake3)",
    );
  });
});

describe('hashFiles: files changing under the hasher', () => {
  async function failure(mutate: (root: string) => void, inlineMaxBytes: number): Promise<ModelsealError> {
    const m = model({ a: 'aaaa', b: 'bbbb', c: 'cccc' });
    const tree = await walkModel(m);
    mutate(m);
    const e = await hashFiles(tree, { config: FILES, jobs: 2, inlineMaxBytes }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ModelsealError);
    return e as ModelsealError;
  }

  for (const where of [
    { label: 'worker', inline: 0 },
    { label: 'inline', inline: Infinity },
  ]) {
    it(`${where.label}: a vanished file rejects with NOT_FOUND`, async () => {
      const e = await failure((m) => unlinkSync(path.join(m, 'b')), where.inline);
      expect(e.code).toBe('NOT_FOUND');
      expect(e.message).toBe("file 'b' vanished while hashing");
    });

    it(`${where.label}: a truncated file rejects with UNREADABLE`, async () => {
      const e = await failure((m) => truncateSync(path.join(m, 'c'), 2), where.inline);
      expect(e.code).toBe('UNREADABLE');
      expect(e.message).toBe("file 'c' changed since it was listed: it is 2 bytes, it was 4");
    });

    it(`${where.label}: a file replaced by a directory rejects with UNREADABLE`, async () => {
      const e = await failure((m) => {
        unlinkSync(path.join(m, 'a'));
        mkdirSync(path.join(m, 'a'));
      }, where.inline);
      expect(e.code).toBe('UNREADABLE');
      expect(e.message).toBe("cannot read 'a': it is a directory");
    });
  }

  it('a file swapped for a symlink after the walk is not followed', async () => {
    const e = await failure((m) => {
      unlinkSync(path.join(m, 'b'));
      symlinkSync(path.join(m, 'a'), path.join(m, 'b'));
    }, 0);
    expect(e.code).toBe('UNREADABLE');
    expect(e.message).toBe("file 'b' was replaced by a symlink while hashing");
  });

  it('a grown file rejects (the signed size would not cover it)', async () => {
    const e = await failure((m) => writeFileSync(path.join(m, 'a'), 'aaaaaaaa'), 0);
    expect(e.code).toBe('UNREADABLE');
    expect(e.message).toBe("file 'a' changed since it was listed: it is 8 bytes, it was 4");
  });
});
