// Issue 14 #14: on the CLI, --ignore-paths is relative to the current directory (as the Python
// CLI's _resolve_ignore_paths does, and as the README's `--ignore-paths ./model/ignore-me` means);
// the library keeps model-relative paths. An ignore path that matches nothing is a warning, on
// stderr and in --json.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashModel } from '@modelseal/core/hashing';
import { cliSandbox, ensureBuilt, PASSWORD_ENV, signArgs, TEST_PUB } from './cli-process.js';

const box = cliSandbox('ms-hard-ignore-');
const model = path.join(box.dir, 'model');
const sha = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();
/** The OMS root of files-mode sha256 resources, computed with node:crypto alone. */
const rootOf = (names: string[]): string =>
  createHash('sha256')
    .update(Buffer.concat(names.map((n) => sha(readFileSync(path.join(model, n))))))
    .digest('hex');

beforeAll(() => {
  ensureBuilt();
  mkdirSync(path.join(model, 'notes'), { recursive: true });
  writeFileSync(path.join(model, 'weights.bin'), 'weights');
  writeFileSync(path.join(model, 'ignore-me'), 'not signed');
  writeFileSync(path.join(model, 'notes', 'todo.txt'), 'later');
  writeFileSync(path.join(box.dir, 'ignore-me'), 'beside the model, in the cwd');
});
afterAll(box.cleanup);

describe('--ignore-paths is relative to the current directory (issue 14 #14)', () => {
  it('hash ./model --ignore-paths ./model/ignore-me leaves the file out, with no warning', () => {
    const r = box.run([
      'hash',
      'model',
      '--ignore-paths',
      './model/ignore-me',
      '--ignore-paths',
      'model/notes',
    ]);
    expect(r.stdout).toBe(`sha256:${rootOf(['weights.bin'])}\n`);
    expect(r.stderr).not.toContain('warning');
    expect(r.code).toBe(0);
  });

  it('the same from inside the model directory, and with an absolute path', () => {
    const inside = box.run(
      ['hash', '.', '--ignore-paths', 'ignore-me', '--ignore-paths', 'notes'],
      {},
      model,
    );
    expect(inside.stdout).toBe(`sha256:${rootOf(['weights.bin'])}\n`);
    const abs = box.run(['hash', model, '--ignore-paths', path.join(model, 'ignore-me')]);
    expect(abs.stdout).toBe(`sha256:${rootOf(['notes/todo.txt', 'weights.bin'])}\n`);
  });

  it('a model-relative spelling from outside the model ignores nothing and says so (stderr and --json)', () => {
    const all = rootOf(['ignore-me', 'notes/todo.txt', 'weights.bin']);
    const human = box.run([
      'hash',
      'model',
      '--ignore-paths',
      'ignore-me',
      '--ignore-paths',
      'model/typo.bin',
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(`sha256:${all}\n`);
    expect(human.stderr.split('\n').slice(0, 2)).toEqual([
      "modelseal: warning: --ignore-paths 'ignore-me' matches nothing: it is outside the model model (paths are relative to the current directory)",
      "modelseal: warning: --ignore-paths 'model/typo.bin' matches nothing in model",
    ]);
    const json = box.run(['hash', 'model', '--json', '--ignore-paths', 'ignore-me']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { root: string; warnings: string[] };
    expect(out.root).toBe(all);
    expect(out.warnings).toEqual([
      "--ignore-paths 'ignore-me' matches nothing: it is outside the model model (paths are relative to the current directory)",
    ]);
  });

  it('sign records the cwd-relative path model-relative, and warns in --json', () => {
    const r = box.run(
      signArgs('model', '--json', '--ignore-paths', './model/ignore-me', '--ignore-paths', 'gone'),
      PASSWORD_ENV,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { root: string; ignorePaths: string[]; warnings: string[] };
    expect(out.root).toBe(rootOf(['notes/todo.txt', 'weights.bin']));
    expect(out.ignorePaths).toEqual([
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'ignore-me',
      'model.sig',
    ]);
    expect(out.warnings).toEqual([
      "--ignore-paths 'gone' matches nothing: it is outside the model model (paths are relative to the current directory)",
    ]);
    expect(r.stderr).toContain("modelseal: warning: --ignore-paths 'gone' matches nothing");
  });

  // uses the signature the test above wrote
  it('verify resolves --ignore-paths against the current directory too, and warns in --json', () => {
    writeFileSync(path.join(model, 'added-later.txt'), 'not signed');
    try {
      const ok = box.run(['verify', 'model', '--key', TEST_PUB, '--ignore-paths', 'model/added-later.txt']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^verified model: sha256:[0-9a-f]{64}, 2 files, signed by key /);
      const bad = box.run([
        'verify',
        'model',
        '--key',
        TEST_PUB,
        '--json',
        '--ignore-paths',
        'added-later.txt',
      ]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ verified: false, error: { code: 'EXTRA_FILE' } });
      expect(bad.stderr.split('\n')[0]).toBe(
        "modelseal: warning: --ignore-paths 'added-later.txt' matches nothing: it is outside the model model (paths are relative to the current directory)",
      );
    } finally {
      rmSync(path.join(model, 'added-later.txt'));
    }
    const warned = box.run([
      'verify',
      'model',
      '--key',
      TEST_PUB,
      '--json',
      '--ignore-paths',
      'model/nothing',
    ]);
    expect(warned.code).toBe(0);
    expect(JSON.parse(warned.stdout).warnings).toContain(
      "--ignore-paths 'model/nothing' matches nothing in model",
    );
  });

  it('the library keeps model-relative paths', async () => {
    const m = await hashModel(model, { ignorePaths: ['ignore-me', 'notes'] });
    expect(m.root).toBe(rootOf(['weights.bin']));
  });
});
