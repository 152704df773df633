// An in-place commit into an existing empty DEST (a mounted emptyDir) killed half-way: the next
// pull recognises its own unfinished commit by the journal a dead process left and cleans it up;
// foreign content, or a journal whose owner is alive, stays DEST_EXISTS. Real directories and a
// real dead pid (a child process that has exited).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelsealError } from '../../errors.js';
import { checkDest, stageFor } from './dest-commit.js';

const root = mkdtempSync(path.join(tmpdir(), 'ms-dest-commit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

/** DEST as a pull killed after moving `moved` (of `names`) leaves it, with the journal of `pid`. */
function killedMidCommit(name: string, pid: number, names: string[], moved: string[]): string {
  const dest = path.join(root, name);
  mkdirSync(dest);
  writeFileSync(
    path.join(dest, `.modelseal-committing-${pid}-0123456789ab`),
    `${JSON.stringify({ names })}\n`,
  );
  for (const n of moved) writeFileSync(path.join(dest, n), 'partial');
  return dest;
}

async function commitCode(dest: string): Promise<string> {
  try {
    await checkDest(dest);
    return 'ok';
  } catch (e) {
    return (e as ModelsealError).code;
  }
}

describe('an in-place commit killed half-way', () => {
  it('a retry removes what the dead pull moved in, then commits: files and marker, no journal', async () => {
    const dest = killedMidCommit(
      'retry',
      deadPid(),
      ['a.bin', 'config.json', 'sub'],
      ['a.bin', 'config.json'],
    );
    expect(readdirSync(dest)).toHaveLength(3); // the journal and two files, no marker
    const staged = await stageFor(dest);
    writeFileSync(path.join(staged.tree, 'a.bin'), 'new');
    writeFileSync(path.join(staged.tree, 'config.json'), '{}');
    await staged.commit({ digest: 'sha256:x' });
    expect(readdirSync(dest).sort()).toEqual(['.modelseal-complete', 'a.bin', 'config.json']);
  });

  it('foreign content beside the journal stays DEST_EXISTS and is not touched', async () => {
    const dest = killedMidCommit('foreign', deadPid(), ['a.bin'], ['a.bin']);
    writeFileSync(path.join(dest, 'notes.txt'), 'mine');
    expect(await commitCode(dest)).toBe('DEST_EXISTS');
    expect(readdirSync(dest).sort()).toEqual([
      expect.stringMatching(/^\.modelseal-committing-\d+-0123456789ab$/),
      'a.bin',
      'notes.txt',
    ]);
    expect(existsSync(path.join(dest, 'notes.txt'))).toBe(true);
  });

  it('a journal whose owner is alive (a pull still committing) is left alone: DEST_EXISTS', async () => {
    const dest = killedMidCommit('alive', process.pid, ['a.bin'], ['a.bin']);
    expect(await commitCode(dest)).toBe('DEST_EXISTS');
    expect(readdirSync(dest)).toHaveLength(2);
  });

  it('an unreadable journal (cut short) is not trusted: DEST_EXISTS', async () => {
    const dest = path.join(root, 'cut');
    mkdirSync(dest);
    writeFileSync(path.join(dest, `.modelseal-committing-${deadPid()}-0123456789ab`), '{"names":["a.b');
    writeFileSync(path.join(dest, 'a.bin'), 'x');
    expect(await commitCode(dest)).toBe('DEST_EXISTS');
  });

  it('killed after the marker but before the journal was removed: only the journal goes, DEST stays complete', async () => {
    const dest = killedMidCommit('late', deadPid(), ['a.bin'], ['a.bin']);
    writeFileSync(path.join(dest, '.modelseal-complete'), '{}\n');
    expect(await commitCode(dest)).toBe('DEST_EXISTS'); // a complete DEST is not pulled over
    expect(readdirSync(dest).sort()).toEqual(['.modelseal-complete', 'a.bin']);
  });
});
