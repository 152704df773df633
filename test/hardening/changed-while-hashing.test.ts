// Issue 14 #4: a file written in place while `sign` hashes it (same size: zeros at offset 0) is
// caught by the stat taken before and after hashing, and no signature is written.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, PASSWORD_ENV, TEST_KEY, cliSandbox, ensureBuilt } from './cli-process.js';
import { spawn } from 'node:child_process';

const box = cliSandbox('ms-hard-stamp-');
beforeAll(ensureBuilt);
afterAll(box.cleanup);

/** Resolve once process `pid` has `file` open (it started hashing it); false if it exited first. */
async function whenOpened(pid: number, file: string, alive: () => boolean): Promise<boolean> {
  while (alive()) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === file) return true;
        } catch {
          /* closed meanwhile */
        }
      }
    } catch {
      return false;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return false;
}

describe('a file changed in place while hashing (issue 14 #4)', () => {
  it('sign fails naming the file when zeros are written at offset 0 mid-hash, and writes no signature', async () => {
    const m = path.join(box.dir, 'model');
    mkdirSync(m);
    const big = path.join(m, 'big.bin');
    // A sparse 256 MiB file with one non-zero byte at offset 0: slow enough to hash that the
    // write lands while the hash runs, cheap on disk.
    const fd = openSync(big, 'w');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, 0);
    writeSync(fd, Buffer.from([0x5a]), 0, 1, 2 ** 28 - 1);
    closeSync(fd);
    // An old mtime, so the change is visible whatever the file system's timestamp granularity.
    utimesSync(big, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));

    const child = spawn(process.execPath, [BIN, 'sign', m, '--key', TEST_KEY], {
      cwd: box.dir,
      env: { ...process.env, ...PASSWORD_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let exited = false;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((r) => child.on('close', (code) => ((exited = true), r(code))));
    const opened = await whenOpened(child.pid!, big, () => !exited);
    expect(opened).toBe(true);
    const w = openSync(big, 'r+');
    writeSync(w, Buffer.alloc(1), 0, 1, 0);
    closeSync(w);
    expect(await done).toBe(2);
    expect(stderr).toBe(
      "modelseal: error[UNREADABLE]: file 'big.bin' changed while hashing (its modification time changed); hash again once nothing writes to it\n",
    );
    expect(existsSync(path.join(m, 'model.sig'))).toBe(false);
  });
});
