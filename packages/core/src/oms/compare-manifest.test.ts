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
    expect(e.message).toBe(
      "5 model files are not in the signature: 'f1', 'f2', 'f3' and 2 more (--ignore-unsigned-files allows unsigned files)",
    );
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
