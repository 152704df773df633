// filesOpenForWriting against real processes: a python3 child holding a file open for writing is
// seen, one holding it open for reading is not, and the file is free again once the child exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesOpenForWriting } from './open-writers.js';

const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'ms-open-writers-')));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A python3 child that opens `file` with `mode`, says "open" and waits for stdin to close. */
async function holder(file: string, mode: string) {
  const child = spawn(
    'python3',
    ['-c', `import sys\nf = open(sys.argv[1], '${mode}')\nprint('open', flush=True)\nsys.stdin.read()`, file],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

describe('filesOpenForWriting', () => {
  it.each(['wb', 'ab', 'r+b'])('sees a file another process holds open with mode %s', async (mode) => {
    const file = path.join(tmp, `w-${mode.replace('+', 'p')}.bin`);
    const other = path.join(tmp, `other-${mode.replace('+', 'p')}.bin`);
    writeFileSync(file, 'x');
    writeFileSync(other, 'y');
    const h = await holder(file, mode);
    expect(filesOpenForWriting(new Set([file, other]))?.open).toEqual(new Set([file]));
    await h.release();
    expect(filesOpenForWriting(new Set([file, other]))?.open).toEqual(new Set());
  });

  it('does not count a file held open only for reading', async () => {
    const file = path.join(tmp, 'r.bin');
    writeFileSync(file, 'x');
    const h = await holder(file, 'rb');
    expect(filesOpenForWriting(new Set([file]))?.open).toEqual(new Set());
    await h.release();
  });
});
