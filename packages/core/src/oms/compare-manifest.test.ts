import { describe, expect, it } from 'vitest';
import type { ModelMismatchError, ModelManifest, Resource } from '../index.js';
import { compareManifest } from './compare-manifest.js';

const r = (name: string, digest: string, algorithm = 'sha256'): Resource => ({ name, algorithm, digest });
const signed = (resources: Resource[]): ModelManifest => ({
  root: '',
  subjectName: 'm',
  config: { method: 'files', hashType: 'sha256', shardSize: 0 },
  allowSymlinks: false,
  ignorePaths: [],
  resources,
});

function mismatch(fn: () => void): ModelMismatchError {
  try {
    fn();
  } catch (e) {
    return e as ModelMismatchError;
  }
  throw new Error('expected a mismatch');
}

describe('compareManifest', () => {
  it('passes on equal sets in any order', () => {
    expect(() =>
      compareManifest(signed([r('a', '01'), r('b', '02')]), [r('b', '02'), r('a', '01')]),
    ).not.toThrow();
  });

  it('reports tampered before missing before extra, with every list in details', () => {
    const e = mismatch(() =>
      compareManifest(signed([r('a', '01'), r('b', '02')]), [r('a', 'ff'), r('c', '03')]),
    );
    expect(e.code).toBe('TAMPERED_FILE');
    expect(e.message).toBe(
      "model file 'a' does not match the signature (expected sha256:01, got sha256:ff); also 1 missing, 1 unsigned",
    );
    expect(e.diff).toEqual({ changed: ['a'], missing: ['b'], extra: ['c'] });
    const m = mismatch(() =>
      compareManifest(signed([r('a', '01'), r('b', '02')]), [r('a', '01'), r('c', '03')]),
    );
    expect(m.code).toBe('MISSING_FILE');
    expect(m.message).toBe("model file 'b' is signed but missing; also 1 unsigned");
  });

  it('names the first few files and counts the rest', () => {
    const names = ['f1', 'f2', 'f3', 'f4', 'f5'];
    const e = mismatch(() =>
      compareManifest(
        signed([]),
        names.map((n) => r(n, '00')),
      ),
    );
    expect(e.code).toBe('EXTRA_FILE');
    expect(e.message).toBe("5 model files are not in the signature: 'f1', 'f2', 'f3' and 2 more");
    expect(() =>
      compareManifest(
        signed([]),
        names.map((n) => r(n, '00')),
        { ignoreUnsignedFiles: true },
      ),
    ).not.toThrow();
  });

  it('treats a different algorithm as a mismatch', () => {
    expect(mismatch(() => compareManifest(signed([r('a', '01')]), [r('a', '01', 'blake3')])).code).toBe(
      'TAMPERED_FILE',
    );
  });
});

describe('compareManifest in shards mode: a signed file is covered from byte 0 to its end', () => {
  const sharded = (resources: Resource[]): ModelManifest => ({
    ...signed(resources),
    config: { method: 'shards', hashType: 'sha256', shardSize: 8 },
  });
  const s = (name: string, digest: string) => r(name, digest, 'sha256-sharded-8');

  it('an appended shard of a signed file is TAMPERED_FILE even with ignoreUnsignedFiles', () => {
    const e = mismatch(() =>
      compareManifest(sharded([s('w:0:8', '01')]), [s('w:0:8', '01'), s('w:8:9', '02')], {
        ignoreUnsignedFiles: true,
      }),
    );
    expect(e.code).toBe('TAMPERED_FILE');
    expect(e.message).toBe(
      "model file 'w' does not match the signature (shard 'w:8:9' is not signed: the file grew past its signed end)",
    );
    expect(e.diff).toEqual({ changed: ['w'], missing: [], extra: [] });
  });

  it('a filled empty file and a truncated file are TAMPERED_FILE; an unsigned file is skipped when allowed', () => {
    const filled = mismatch(() =>
      compareManifest(sharded([s('e:0:0', 'e3')]), [s('e:0:3', '04')], { ignoreUnsignedFiles: true }),
    );
    expect(filled.message).toBe(
      "model file 'e' does not match the signature (signed shard 'e:0:0' is not in the file: its size changed)",
    );
    const digest = mismatch(() => compareManifest(sharded([s('w:0:8', '01')]), [s('w:0:8', 'ff')]));
    expect(digest.message).toBe(
      "model file 'w' does not match the signature (shard 'w:0:8': expected sha256:01, got sha256:ff)",
    );
    expect(() =>
      compareManifest(sharded([s('w:0:8', '01')]), [s('w:0:8', '01'), s('new:0:0', '00')], {
        ignoreUnsignedFiles: true,
      }),
    ).not.toThrow();
    const extra = mismatch(() =>
      compareManifest(sharded([s('w:0:8', '01')]), [s('w:0:8', '01'), s('new:0:0', '00')]),
    );
    expect(extra.code).toBe('EXTRA_FILE');
    expect(extra.diff).toEqual({ changed: [], missing: [], extra: ['new'] });
  });
});
