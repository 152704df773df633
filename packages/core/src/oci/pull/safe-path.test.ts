import { describe, expect, it } from 'vitest';
import { checkRelativePath, PathClaims, unsafePathReason } from './safe-path.js';

describe('checkRelativePath', () => {
  it('accepts plain relative POSIX paths', () => {
    for (const p of ['a', 'a/b.bin', 'dir with space/ü.json', '.hidden/x', 'a..b'])
      expect(checkRelativePath(p, 'here')).toBe(p);
  });

  it.each([
    ['', 'empty path'],
    ['/etc/passwd', 'absolute path'],
    ['C:/x', 'absolute path'],
    ['../x', "contains '..'"],
    ['a/../../x', "contains '..'"],
    ['a/..', "contains '..'"],
    ['a\\b', 'contains a backslash'],
    ['a\0b', 'contains NUL'],
    ['a//b', "has an empty or '.' component"],
    ['./a', "has an empty or '.' component"],
    ['a/', "has an empty or '.' component"],
  ])('refuses %j (%s)', (p, why) => {
    expect(() => checkRelativePath(p, 'layer 3')).toThrow(
      `layer 3: refusing path ${JSON.stringify(p)}: ${why}`,
    );
  });
});

describe('unsafePathReason (the one rule pull and push share)', () => {
  it('names the reason, or undefined for a path pull writes', () => {
    expect(unsafePathReason('a/b.bin')).toBeUndefined();
    expect(unsafePathReason('a\\b')).toBe('contains a backslash');
    expect(unsafePathReason('c:x')).toBe('absolute path');
    expect(unsafePathReason('x'.repeat(4097))).toBe('longer than 4096 characters');
  });
});

describe('PathClaims', () => {
  it('refuses duplicates, file/directory clashes and writes below symlinks', () => {
    const c = new PathClaims();
    c.claim('a/b/c', 'file', 'w');
    c.claim('a/b', 'dir', 'w');
    expect(() => c.claim('a/b/c', 'file', 'w')).toThrow(/appears twice/);
    expect(() => c.claim('a/b', 'file', 'w')).toThrow(/is a directory of other files/);
    expect(() => c.claim('a/b/c/d', 'file', 'w')).toThrow(/'a\/b\/c' is a file, not a directory/);
    c.claim('l', 'symlink', 'w');
    expect(() => c.claim('l/x', 'file', 'w')).toThrow(/'l' is a symlink; refusing to write through it/);
    expect(c.kindOf('a')).toBe('dir');
  });
});
