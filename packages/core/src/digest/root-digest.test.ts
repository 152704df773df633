import { describe, expect, it } from 'vitest';
import { compareUtf8, rootDigest } from './root-digest.js';

const r = (name: string, digest: string) => ({ name, algorithm: 'sha256', digest });

describe('rootDigest', () => {
  it('signme-1 + signme-2 gives the root of the Python vectors', () => {
    const root = rootDigest([
      r('signme-1', 'f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1'),
      r('signme-2', '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028'),
    ]);
    expect(root).toBe('61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226');
  });

  it('a one-file model hashes the file hash, not returns it', () => {
    expect(rootDigest([r('.', '3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b')])).toBe(
      '002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178',
    );
  });

  it('no resources gives SHA-256 of nothing', () => {
    expect(rootDigest([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('depends on order, not on names', () => {
    const a = r('a', '00'.repeat(32));
    const b = r('b', '11'.repeat(32));
    expect(rootDigest([a, b])).not.toBe(rootDigest([b, a]));
    expect(rootDigest([a, b])).toBe(
      rootDigest([
        { ...a, name: 'x' },
        { ...b, name: 'y' },
      ]),
    );
  });

  it('rejects a digest that is not hex', () => {
    expect(() => rootDigest([r('f', 'zz')])).toThrow(/resource 'f' has a digest that is not hex/);
  });
});

describe('compareUtf8', () => {
  it('orders by UTF-8 bytes where JS sort orders by UTF-16 code units', () => {
    const names = ['\u{1F600}.bin', '\uFFFD.bin', 'z', '\u00e9', 'a'];
    expect([...names].sort()).toEqual(['a', 'z', '\u00e9', '\u{1F600}.bin', '\uFFFD.bin']);
    expect([...names].sort(compareUtf8)).toEqual(['a', 'z', '\u00e9', '\uFFFD.bin', '\u{1F600}.bin']);
    // the same order as comparing the encoded bytes
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareUtf8)).toEqual(byBytes);
  });

  it('is byte order, not Python PurePosixPath order: a-b < a.b < a/b', () => {
    expect(['a/b', 'a.b', 'a-b'].sort(compareUtf8)).toEqual(['a-b', 'a.b', 'a/b']);
  });

  it('agrees with byte comparison on many random strings', () => {
    const alphabet = [
      'a',
      '/',
      '.',
      '\u00ff',
      '\u0800',
      '\uE000',
      '\uFFFF',
      '\u{10000}',
      '\u{1F600}',
      '\u{10FFFF}',
    ];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 2000; k++) {
      const mk = () =>
        Array.from(
          { length: Math.floor(rnd() * 5) },
          () => alphabet[Math.floor(rnd() * alphabet.length)],
        ).join('');
      const x = mk();
      const y = mk();
      expect(Math.sign(compareUtf8(x, y))).toBe(Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))));
    }
  });

  it('equal strings compare 0, prefixes first', () => {
    expect(compareUtf8('abc', 'abc')).toBe(0);
    expect(compareUtf8('ab', 'abc')).toBe(-1);
    expect(compareUtf8('abc', 'ab')).toBe(1);
  });
});
