import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SHARD_SIZE, hashModel } from './hash-model.js';
import { VECTORS_DIR } from '../../../../test/shared-vectors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');
const VECTORS = path.join(VECTORS_DIR, 'oms-python');
const FIXTURES = path.join(repo, 'fixtures/models');

interface Statement {
  subject: { name: string; digest: { sha256: string } }[];
  predicate: {
    serialization: { method: string; hash_type: string; allow_symlinks: boolean; ignore_paths?: string[] };
    resources: { name: string; algorithm: string; digest: string }[];
  };
}

function signedStatement(dir: string): Statement {
  const bundle = JSON.parse(readFileSync(path.join(dir, 'model.sig'), 'utf8'));
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-hashmodel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('hashModel against the Python model_signing vectors', () => {
  for (const v of ['v1.1.0-elliptic-key', 'v1.1.0-certificate', 'v1.1.0-sigstore']) {
    it(`${v}: reproduces the signed resources, root and ignore_paths`, async () => {
      const dir = path.join(VECTORS, v);
      const st = signedStatement(dir);
      const m = await hashModel(dir, {
        ignorePaths: ['ignore-me'],
        signaturePath: path.join(dir, 'model.sig'),
      });
      expect(m.resources).toEqual(
        st.predicate.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
      );
      expect(m.root).toBe(st.subject[0].digest.sha256);
      expect(m.subjectName).toBe(st.subject[0].name);
      expect(m.ignorePaths).toEqual([...(st.predicate.serialization.ignore_paths ?? [])].sort());
      expect(m.config).toEqual({ method: 'files', hashType: 'sha256', shardSize: DEFAULT_SHARD_SIZE });
      expect(m.allowSymlinks).toBe(st.predicate.serialization.allow_symlinks);
    });
  }

  it('v1.0.0-elliptic-key: a single-file model is one resource named "."', async () => {
    const dir = path.join(VECTORS, 'v1.0.0-elliptic-key');
    const st = signedStatement(dir);
    const m = await hashModel(path.join(dir, 'signme-1'));
    expect(st.predicate.resources.map((r) => r.name)).toEqual(['.']);
    expect(m.resources).toEqual([
      { name: '.', algorithm: 'sha256', digest: st.predicate.resources[0].digest },
    ]);
    expect(m.root).toBe(st.subject[0].digest.sha256);
    expect(m.root).toBe('afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b');
    expect(m.subjectName).toBe('signme-1');
  });

  it('sample_model golden from the Python tests: root 143cc682...', async () => {
    const m = await hashModel(path.join(FIXTURES, 'sample-model'), { jobs: 2 });
    expect(m.resources.map((r) => r.name)).toEqual([
      'd0/f00',
      'd0/f01',
      'd0/f02',
      'd1/f10',
      'd1/f11',
      'd1/f12',
      'f0',
      'f1',
      'f2',
      'f3',
    ]);
    expect(m.root).toBe('143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7');
  });

  it('shards mode over the known text file', async () => {
    const m = await hashModel(path.join(FIXTURES, 'simple-file/model.bin'), {
      method: 'shards',
      shardSize: 8,
    });
    expect(m.resources.map((r) => `${r.name} ${r.algorithm}`)).toEqual([
      '.:0:8 sha256-sharded-8',
      '.:8:16 sha256-sharded-8',
      '.:16:22 sha256-sharded-8',
    ]);
    expect(m.config).toEqual({ method: 'shards', hashType: 'sha256', shardSize: 8 });
  });

  it('shards mode records an empty file as the shard e:0:0 (root from python3 hashlib)', async () => {
    const dir = path.join(tmp, 'only-empty');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'e'), '');
    const shards = await hashModel(dir, { method: 'shards', shardSize: 8 });
    expect(shards.resources).toEqual([
      {
        name: 'e:0:0',
        algorithm: 'sha256-sharded-8',
        digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    ]);
    // python3 -c "import hashlib; print(hashlib.sha256(hashlib.sha256(b'').digest()).hexdigest())"
    expect(shards.root).toBe('5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
    const files = await hashModel(dir);
    expect(files.resources).toEqual([
      {
        name: 'e',
        algorithm: 'sha256',
        digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    ]);
  });

  it('rejects bad options with USAGE before touching the disk', async () => {
    await expect(hashModel('/nonexistent', { method: 'tree' as never })).rejects.toThrow(
      "unknown serialization method 'tree' (use files or shards)",
    );
    await expect(hashModel('/nonexistent', { method: 'shards', shardSize: 1.5 })).rejects.toThrow(
      'shard size must be a positive integer, got 1.5',
    );
  });
});

describe('hashModel on a model big enough for worker threads', () => {
  const files = 300; // more than the inline limit: workers start while the walk goes on
  const many = path.join(tmp, 'many');
  mkdirSync(many);
  for (let i = 0; i < files; i++)
    writeFileSync(path.join(many, `f${String(i).padStart(3, '0')}`), `file ${i}\n`);

  it('gives the same digest for every file with jobs 1, 2 and 3', async () => {
    const expected = Array.from({ length: files }, (_, i) => ({
      name: `f${String(i).padStart(3, '0')}`,
      algorithm: 'sha256',
      digest: createHash('sha256').update(`file ${i}\n`).digest('hex'),
    }));
    for (const jobs of [1, 2, 3]) {
      const m = await hashModel(many, { jobs });
      expect(m.resources).toEqual(expected);
    }
  });

  it('a walk error after the workers started rejects cleanly', async () => {
    const bad = path.join(tmp, 'many-fifo');
    mkdirSync(bad);
    for (let i = 0; i < files; i++) writeFileSync(path.join(bad, `f${String(i).padStart(3, '0')}`), 'x');
    execFileSync('mkfifo', [path.join(bad, 'zz-pipe')]);
    await expect(hashModel(bad, { jobs: 2 })).rejects.toMatchObject({
      code: 'UNREADABLE',
      message: "cannot hash 'zz-pipe': it is a FIFO, not a regular file or directory",
    });
  });
});
