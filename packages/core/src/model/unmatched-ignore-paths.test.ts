import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unmatchedIgnorePaths } from './unmatched-ignore-paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ms-unmatched-'));
const model = path.join(dir, 'm');
mkdirSync(path.join(model, 'notes'), { recursive: true });
writeFileSync(path.join(model, 'w.bin'), 'w');
writeFileSync(path.join(dir, 'outside.txt'), 'o');
symlinkSync(model, path.join(dir, 'link'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('unmatchedIgnorePaths', () => {
  it('keeps paths that name a file or directory in the model (relative or absolute)', () => {
    expect(unmatchedIgnorePaths(model, ['w.bin', 'notes', path.join(model, 'notes'), '.'])).toEqual([]);
  });

  it('reports paths outside the model and names that do not exist, in order', () => {
    expect(
      unmatchedIgnorePaths(model, ['nope.bin', path.join(dir, 'outside.txt'), '../outside.txt', 'notes/x']),
    ).toEqual([
      { path: 'nope.bin', reason: 'not-found' },
      { path: path.join(dir, 'outside.txt'), reason: 'outside-model' },
      { path: '../outside.txt', reason: 'outside-model' },
      { path: 'notes/x', reason: 'not-found' },
    ]);
  });

  it('accepts absolute paths through a symlinked model spelling', () => {
    const link = path.join(dir, 'link');
    expect(unmatchedIgnorePaths(link, [path.join(link, 'w.bin'), path.join(model, 'w.bin')])).toEqual([]);
  });

  it('does not throw for a missing model', () => {
    expect(unmatchedIgnorePaths(path.join(dir, 'absent'), ['a'])).toEqual([
      { path: 'a', reason: 'not-found' },
    ]);
  });
});
