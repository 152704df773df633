import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkModel } from './walk-model.js';
import { ModelsealError } from '../errors.js';
import { modelDirs } from '../../../../test/model-dirs.js';

const dirs = modelDirs('ms-walk-');
const { base, model } = dirs;
let counter = 0;
afterAll(() => dirs.cleanup());

async function walkError(p: string, opts = {}): Promise<ModelsealError> {
  const e = await walkModel(p, opts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelsealError);
  return e as ModelsealError;
}

const names = async (p: string, opts = {}) => (await walkModel(p, opts)).files.map((f) => f.name);

describe('walkModel: ignore rules', () => {
  it('ignores the git entries at the top level only and records all four even when absent', async () => {
    const m = model({
      '.git/HEAD': 'x',
      '.gitignore': 'x',
      'sub/.git/HEAD': 'y',
      'sub/.gitignore': 'z',
      'w.bin': 'w',
    });
    const t = await walkModel(m);
    expect(t.files.map((f) => f.name)).toEqual(['sub/.git/HEAD', 'sub/.gitignore', 'w.bin']);
    expect(t.ignorePaths).toEqual(['.git', '.gitattributes', '.github', '.gitignore']);
    expect(t.name).toBe(path.basename(m));
    expect(t.root).toBe(m);
    expect(t.isFile).toBe(false);
    expect(t.allowSymlinks).toBe(false);
  });

  it('hashes git entries with ignoreGitPaths: false and records nothing', async () => {
    const m = model({ '.git/HEAD': 'x', '.github/ci.yml': 'c', 'w.bin': 'w' });
    const t = await walkModel(m, { ignoreGitPaths: false });
    expect(t.files.map((f) => f.name)).toEqual(['.git/HEAD', '.github/ci.yml', 'w.bin']);
    expect(t.ignorePaths).toEqual([]);
  });

  it('applies user ignore paths as component prefixes, relative or absolute; outside paths are dropped', async () => {
    const m = model({ 'd/a': '1', 'd/b/c': '2', dx: '3', 'e/f': '4', 'e/g': '5', keep: '6' });
    const t = await walkModel(m, {
      ignorePaths: ['d', path.join(m, 'e', 'f'), '/definitely/elsewhere', '../outside'],
    });
    expect(t.files.map((f) => f.name)).toEqual(['dx', 'e/g', 'keep']);
    expect(t.ignorePaths).toEqual(['.git', '.gitattributes', '.github', '.gitignore', 'd', 'e/f']);
  });

  it('excludes the signature file when it lies inside the model (relative to the cwd or absolute)', async () => {
    const m = model({ 'model.sig': '{}', 'nested/other.sig': '{}', w: 'w' });
    const t = await walkModel(m, { signaturePath: path.relative(process.cwd(), path.join(m, 'model.sig')) });
    expect(t.files.map((f) => f.name)).toEqual(['nested/other.sig', 'w']);
    expect(t.ignorePaths).toContain('model.sig');
    const t2 = await walkModel(m, {
      signaturePath: path.join(m, 'nested', 'other.sig'),
      ignoreGitPaths: false,
    });
    expect(t2.ignorePaths).toEqual(['nested/other.sig']);
    const t3 = await walkModel(m, { signaturePath: path.join(base, 'model.sig'), ignoreGitPaths: false });
    expect(t3.ignorePaths).toEqual([]);
    expect(t3.files).toHaveLength(3);
  });

  it('ignores before checking symlinks (an ignored .venv full of links is fine)', async () => {
    const m = model({ 'w.bin': 'w', '.venv/lib/x': 'x' });
    symlinkSync('/usr/bin/env', path.join(m, '.venv', 'python'));
    expect(await names(m, { ignorePaths: ['.venv'] })).toEqual(['w.bin']);
  });
});

describe('walkModel: symlinks', () => {
  it('rejects a symlink by default, naming its model-relative path', async () => {
    const m = model({ 'sub/target.bin': 't' });
    symlinkSync('target.bin', path.join(m, 'sub', 'link.bin'));
    const e = await walkError(m);
    expect(e.code).toBe('SYMLINK');
    expect(e.message).toBe("cannot use 'sub/link.bin': it is a symlink");
  });

  it('with allowSymlinks hashes the target content under the link name', async () => {
    const m = model({ 'target.bin': 'twelve bytes' });
    symlinkSync('target.bin', path.join(m, 'link.bin'));
    const t = await walkModel(m, { allowSymlinks: true });
    expect(t.allowSymlinks).toBe(true);
    expect(t.files).toEqual([
      {
        name: 'link.bin',
        path: path.join(m, 'target.bin'),
        size: 12,
        stamp: expect.objectContaining({ size: expect.any(Number) }),
      },
      {
        name: 'target.bin',
        path: path.join(m, 'target.bin'),
        size: 12,
        stamp: expect.objectContaining({ size: expect.any(Number) }),
      },
    ]);
  });

  it('follows a link outside the model root only with allowSymlinks', async () => {
    const outside = path.join(base, `outside-${counter++}.bin`);
    writeFileSync(outside, 'external');
    const m = model({ w: 'w' });
    symlinkSync(outside, path.join(m, 'ext'));
    expect((await walkError(m)).code).toBe('SYMLINK');
    const t = await walkModel(m, { allowSymlinks: true });
    expect(t.files[0]).toEqual({
      name: 'ext',
      path: outside,
      size: 8,
      stamp: expect.objectContaining({ size: expect.any(Number) }),
    });
  });

  it('rejects symlink cycles, links to directories and broken links clearly', async () => {
    const m = model({ w: 'w' });
    symlinkSync('b', path.join(m, 'a'));
    symlinkSync('a', path.join(m, 'b'));
    const cyc = await walkError(m, { allowSymlinks: true });
    expect(cyc.code).toBe('SYMLINK');
    expect(cyc.message).toBe("cannot use 'a': it is part of a symlink cycle");

    const m2 = model({ 'd/x': 'x' });
    symlinkSync('d', path.join(m2, 'dirlink'));
    const dir = await walkError(m2, { allowSymlinks: true });
    expect(dir.code).toBe('SYMLINK');
    expect(dir.message).toMatch(
      /^cannot use 'dirlink': it is a symlink to a directory \(.*\/d\); only links to files are followed$/,
    );

    const m3 = model({ w: 'w' });
    symlinkSync('nothing-here', path.join(m3, 'broken'));
    const broken = await walkError(m3, { allowSymlinks: true });
    expect(broken.code).toBe('NOT_FOUND');
    expect(broken.message).toBe("symlink 'broken' is broken: its target does not exist");
  });

  it('a symlinked model root needs allowSymlinks; the subject name is the link name', async () => {
    const m = model({ w: 'w' });
    const link = path.join(base, `rootlink-${counter++}`);
    symlinkSync(m, link);
    expect((await walkError(link)).code).toBe('SYMLINK');
    const t = await walkModel(link, { allowSymlinks: true });
    expect(t.name).toBe(path.basename(link));
    expect(t.files).toEqual([
      {
        name: 'w',
        path: path.join(m, 'w'),
        size: 1,
        stamp: expect.objectContaining({ size: expect.any(Number) }),
      },
    ]);
  });
});

describe('walkModel: names and file kinds', () => {
  it('handles unicode, spaces, hidden directories and empty files; sorts by UTF-8 bytes', async () => {
    const m = model({
      'with space/file name.bin': 'a',
      '.hidden/x': 'b',
      'caf\u00e9.txt': 'c',
      '\u{1F600}.bin': 'd',
      '\uFFFD.bin': 'e',
      'a-b': '',
      'a.b': '',
      'a/b': '',
    });
    const t = await walkModel(m);
    expect(t.files.map((f) => f.name)).toEqual([
      '.hidden/x',
      'a-b',
      'a.b',
      'a/b',
      'caf\u00e9.txt',
      'with space/file name.bin',
      '\uFFFD.bin',
      '\u{1F600}.bin',
    ]);
    expect(t.files.find((f) => f.name === 'a.b')?.size).toBe(0);
  });

  it('walks a single file as one resource named "."', async () => {
    const m = model({ 'weights.bin': 'This is a simple model' });
    const t = await walkModel(path.join(m, 'weights.bin'));
    expect(t.isFile).toBe(true);
    expect(t.name).toBe('weights.bin');
    expect(t.files).toEqual([
      {
        name: '.',
        path: path.join(m, 'weights.bin'),
        size: 22,
        stamp: expect.objectContaining({ size: expect.any(Number) }),
      },
    ]);
    expect(t.ignorePaths).toEqual(['.git', '.gitattributes', '.github', '.gitignore']);
  });

  it('rejects an empty model, a model where everything is ignored, and a missing path', async () => {
    const empty = model({});
    mkdirSync(path.join(empty, 'empty-subdir'));
    const e1 = await walkError(empty);
    expect(e1.code).toBe('EMPTY_MODEL');
    expect(e1.message).toBe(`model '${empty}' has no files to hash (empty, or everything is ignored)`);
    expect((await walkError(model({ '.gitignore': 'x', ign: 'y' }), { ignorePaths: ['ign'] })).code).toBe(
      'EMPTY_MODEL',
    );
    const missing = await walkError(path.join(base, 'no-such-model'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toBe(`model '${path.join(base, 'no-such-model')}' does not exist`);
  });

  it('rejects a FIFO with a clear error', async () => {
    const m = model({ w: 'w' });
    execFileSync('mkfifo', [path.join(m, 'pipe')]);
    const e = await walkError(m);
    expect(e.code).toBe('UNREADABLE');
    expect(e.message).toBe("cannot hash 'pipe': it is a FIFO, not a regular file or directory");
  });

  it('rejects a file name that is not valid UTF-8', async () => {
    const m = model({ w: 'w' });
    writeFileSync(Buffer.concat([Buffer.from(m + '/bad-'), Buffer.from([0xff, 0xfe])]), 'x');
    const e = await walkError(m);
    expect(e.code).toBe('UNREADABLE');
    expect(e.message).toMatch(/^a file name in '\.' is not valid UTF-8 \(.*bad-.*\); rename it$/);
  });
});
