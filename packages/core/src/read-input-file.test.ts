// readInputFile on real special files: a FIFO with no writer, /dev/zero behind a symlink, a
// directory, a file over the cap: each refused at once with a stable code, never read or waited on.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelsealError } from './errors.js';
import { readInputFile } from './read-input-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ms-input-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (e) {
    const err = e as ModelsealError;
    return { code: err.code, message: err.message, ms: performance.now() - t0 };
  }
  throw new Error('read');
}

describe('readInputFile', () => {
  it('reads a regular file whole', async () => {
    const f = path.join(dir, 'key.pub');
    writeFileSync(f, 'abc\n');
    expect((await readInputFile(f, 'key')).toString()).toBe('abc\n');
  });

  it('a FIFO with no writer is refused at once (no hang): UNREADABLE', async () => {
    const fifo = path.join(dir, 'model.sig');
    execFileSync('mkfifo', [fifo]);
    const r = await refusal(readInputFile(fifo, 'signature'));
    expect(r).toEqual({
      code: 'UNREADABLE',
      message: `signature ${fifo}: a FIFO, not a regular file`,
      ms: expect.any(Number),
    });
    expect(r.ms).toBeLessThan(500);
  });

  it('a symlink to /dev/zero is refused before a byte is read: UNREADABLE', async () => {
    const link = path.join(dir, 'zero.sig');
    symlinkSync('/dev/zero', link);
    const r = await refusal(readInputFile(link, 'signature'));
    expect([r.code, r.message]).toEqual([
      'UNREADABLE',
      `signature ${link}: a character device, not a regular file`,
    ]);
    expect(r.ms).toBeLessThan(500);
  });

  it('a directory is refused: UNREADABLE', async () => {
    const d = path.join(dir, 'adir');
    mkdirSync(d);
    const r = await refusal(readInputFile(d, 'policy'));
    expect([r.code, r.message]).toEqual(['UNREADABLE', `policy ${d}: a directory, not a regular file`]);
  });

  it('a file over the cap is refused without reading it; a missing one is NOT_FOUND', async () => {
    const f = path.join(dir, 'big.json');
    writeFileSync(f, Buffer.alloc(2048));
    const r = await refusal(readInputFile(f, 'predicate', { maxBytes: 1024 }));
    expect([r.code, r.message]).toEqual(['UNREADABLE', `predicate ${f}: 2048 bytes, more than 1024 bytes`]);
    expect((await readInputFile(f, 'predicate', { maxBytes: 2048 })).length).toBe(2048);
    const gone = await refusal(readInputFile(path.join(dir, 'nope'), 'key'));
    expect([gone.code, gone.message]).toEqual(['NOT_FOUND', `key ${path.join(dir, 'nope')}: no such file`]);
  });
});
