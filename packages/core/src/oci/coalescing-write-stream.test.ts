import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { COALESCED_WRITE_BYTES, CoalescingWriteStream } from './coalescing-write-stream.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ms-coalesce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `f${n++}`);
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Pieces of the given sizes cut from `data`, as fresh buffers (the way a socket delivers them). */
function pieces(data: Buffer, sizes: number[]): Readable {
  const out: Buffer[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(Buffer.from(data.subarray(at, at + s)));
    at += s;
  }
  expect(at).toBe(data.length);
  return Readable.from(out);
}

describe('CoalescingWriteStream', () => {
  it('writes exactly the bytes it was given, for pieces smaller than, equal to and bigger than a buffer', async () => {
    const sizes = [1, 999, 1000, 1001, 65536, 7, 250_000, 3, 1000, 0, 12_345];
    const data = randomBytes(sizes.reduce((a, b) => a + b, 0));
    for (const bufferBytes of [1000, 4096, COALESCED_WRITE_BYTES]) {
      const file = fresh();
      await pipeline(pieces(data, sizes), new CoalescingWriteStream(file, { bufferBytes }));
      expect(readFileSync(file).equals(data)).toBe(true);
    }
  });

  it('a 3 MiB stream of 64 KiB pieces, then an exact multiple of the buffer: same bytes', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const file = fresh();
    await pipeline(pieces(data, new Array<number>(48).fill(65536)), new CoalescingWriteStream(file));
    expect(readFileSync(file).equals(data)).toBe(true);
  });

  it('an empty stream creates an empty file with the mode asked for (expectedBytes 0 is fine)', async () => {
    const file = fresh();
    await pipeline(Readable.from([]), new CoalescingWriteStream(file, { mode: 0o700, expectedBytes: 0 }));
    expect(statSync(file).size).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o700 & ~process.umask());
  });

  it("flags 'wx' on an existing file: EEXIST, the file untouched, no descriptor left open", async () => {
    const file = fresh();
    writeFileSync(file, 'keep me');
    const fds = openFds();
    await expect(
      pipeline(Readable.from([Buffer.from('new')]), new CoalescingWriteStream(file, { flags: 'wx' })),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(openFds()).toBe(fds);
  });

  it('a failing write fails the stream with its fs error and closes the file', async () => {
    if (!existsSync('/dev/full')) return expect(process.platform).not.toBe('linux');
    const fds = openFds();
    await expect(
      pipeline(
        Readable.from([randomBytes(100_000), randomBytes(100_000)]),
        new CoalescingWriteStream('/dev/full', { bufferBytes: 4096 }),
      ),
    ).rejects.toMatchObject({ code: 'ENOSPC', syscall: 'write' });
    await new Promise((r) => setImmediate(r));
    expect(openFds()).toBe(fds);
  });
});
