// Issue 14 #11 and #10 through the CLI: a new DEST appears by one rename; an existing empty DEST (and a
// mount point, where a rename fails with EBUSY) is filled in place, keeping its inode and mode, with
// the completion marker written last; a symlink DEST is refused with a message that says so; staging
// left beside DEST by a dead pull is removed by the next one.
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliSandbox, ensureBuilt } from '../hardening/cli-process.js';
import { makeModel, readTree } from '../oci/model-fixture.js';

const box = cliSandbox('ms-pull-dest-');
const model = path.join(box.dir, 'model');
let digest = '';

beforeAll(() => {
  ensureBuilt();
  makeModel(model);
  const r = box.run(['push', model, 'oci:layout:v1']);
  expect(r.code).toBe(0);
  digest = r.stdout.trim().split('@')[1];
});
afterAll(() => box.cleanup());

/** A pid whose process has exited. */
const deadPid = (): number =>
  Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
      .stdout,
  );

describe('pull destinations', () => {
  it('an existing empty DEST keeps its inode and mode 0700; the marker is written', () => {
    const dest = path.join(box.dir, 'empty');
    mkdirSync(dest, { mode: 0o700 });
    const before = statSync(dest);
    const r = box.run(['pull', 'oci:layout:v1', dest]);
    expect(r.stderr).toMatch(/^pulled 11 files/);
    expect(r.code).toBe(0);
    const after = statSync(dest);
    expect(after.ino).toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o700);
    const { ['.modelseal-complete']: _marker, ...files } = readTree(dest);
    expect(files).toEqual(readTree(model));
    expect(JSON.parse(readFileSync(path.join(dest, '.modelseal-complete'), 'utf8'))).toEqual({
      reference: 'oci:layout:v1',
      digest,
      files: 11,
    });
    // verify ignores the marker, like the default signature file: the pulled directory hashes as the model
    const h = box.run(['hash', dest]);
    expect(h.stdout).toBe(box.run(['hash', model]).stdout);
  });

  it('a new DEST appears by rename, with no marker', () => {
    const r = box.run(['pull', 'oci:layout:v1', 'fresh/dest']);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(box.dir, 'fresh'))).toEqual(['dest']);
    expect(readTree(path.join(box.dir, 'fresh/dest'))).toEqual(readTree(model));
  });

  it('a mount point (tmpfs in a user+mount namespace) is filled in place instead of failing with EBUSY', () => {
    const dest = path.join(box.dir, 'mnt');
    mkdirSync(dest);
    const script = [
      `mount -t tmpfs -o mode=0750 none '${dest}'`,
      `'${process.execPath}' '${BIN}' pull oci:layout:v1 '${dest}' || exit $?`,
      `stat -c '%a %m' '${dest}'`,
      `ls -A '${dest}'`,
    ].join(' && ');
    const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script], {
      cwd: box.dir,
      encoding: 'utf8',
    });
    expect(r.stderr).toMatch(/^pulled 11 files/);
    expect(r.status).toBe(0);
    const [pinned, mode, ...names] = r.stdout.trimEnd().split('\n');
    expect(pinned).toBe(`oci:layout:v1@${digest}`);
    expect(mode).toBe(`750 ${dest}`);
    expect(names.sort()).toEqual(['.modelseal-complete', ...readdirSync(model)].sort());
  });

  it('a symlink DEST is refused with a message that says it is a symlink', () => {
    mkdirSync(path.join(box.dir, 'real'));
    symlinkSync('real', path.join(box.dir, 'link'));
    const r = box.run(['pull', 'oci:layout:v1', 'link']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: destination ${path.join(box.dir, 'link')} is a symbolic link (to real); pull into a new path, or into the directory it points to by its real path\n`,
    );
    expect(lstatSync(path.join(box.dir, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(path.join(box.dir, 'real'))).toEqual([]);
  });

  it('staging left by a dead pull, beside DEST or inside it, is removed by the next pull', () => {
    const parent = path.join(box.dir, 'stale');
    const dest = path.join(parent, 'dest');
    mkdirSync(dest, { recursive: true });
    const pid = deadPid();
    const beside = `.dest.modelseal-staging-${pid}-0123456789ab`;
    mkdirSync(path.join(parent, beside, 'model'), { recursive: true });
    writeFileSync(path.join(parent, beside, 'model', 'half.bin'), Buffer.alloc(4096));
    const inside = `.modelseal-staging-${pid}-ba9876543210`;
    mkdirSync(path.join(dest, inside, 'model'), { recursive: true });
    const r = box.run(['pull', 'oci:layout:v1', dest]);
    expect(r.code).toBe(0);
    expect(readdirSync(parent)).toEqual(['dest']);
    expect(readdirSync(dest)).not.toContain(inside);
    expect(readdirSync(dest)).toContain('.modelseal-complete');
  });
});
