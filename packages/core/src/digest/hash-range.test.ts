import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stampOf } from './file-stamp.js';
import { HashRangeError, SLICE_BYTES, hashRange, hashRangeSync, type HashItem } from './hash-range.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ms-range-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(size: number): { p: string; data: Buffer } {
  const data = randomBytes(size);
  const p = path.join(dir, `f${size}`);
  writeFileSync(p, data);
  return { p, data };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('hashRangeSync', () => {
  // An 8-byte buffer makes every size class cheap to reach: one read, exactly full, many reads.
  for (const size of [0, 1, 7, 8, 9, 15, 16, 17, 100]) {
    it(`whole file of ${size} bytes with an 8-byte buffer, and every 5-byte shard`, () => {
      const { p, data } = file(size);
      const whole: HashItem = { path: p, name: 'f', start: 0, end: size, alg: 'sha256', expectSize: size };
      let seen = 0;
      expect(hashRangeSync(whole, Buffer.alloc(8), (n) => (seen += n)).toString('hex')).toBe(sha(data));
      expect(seen).toBe(size);
      for (let s = 0; s < size; s += 5) {
        const e = Math.min(s + 5, size);
        const item: HashItem = { path: p, name: 'f', start: s, end: e, alg: 'sha256', expectSize: size };
        expect(hashRangeSync(item, Buffer.alloc(8)).toString('hex')).toBe(sha(data.subarray(s, e)));
      }
    });
  }

  it('detects a file longer or shorter than expected', () => {
    const { p } = file(12);
    const grew = () =>
      hashRangeSync(
        { path: p, name: 'g', start: 0, end: 10, alg: 'sha256', expectSize: 10 },
        Buffer.alloc(8),
      );
    expect(grew).toThrow(HashRangeError);
    expect(grew).toThrow("file 'g' changed while hashing: it grew beyond 10 bytes");
    const grewSmall = () =>
      hashRangeSync(
        { path: p, name: 'g', start: 0, end: 10, alg: 'sha256', expectSize: 10 },
        Buffer.alloc(64),
      );
    expect(grewSmall).toThrow("file 'g' changed while hashing: it grew beyond 10 bytes");
    const shrank = () =>
      hashRangeSync(
        { path: p, name: 's', start: 8, end: 20, alg: 'sha256', expectSize: 20 },
        Buffer.alloc(64),
      );
    expect(shrank).toThrow("file 's' changed while hashing: it ended at byte 12, expected 20");
    // a middle shard does not look past its end
    const { p: p2, data } = file(30);
    expect(
      hashRangeSync(
        { path: p2, name: 'm', start: 0, end: 10, alg: 'sha256', expectSize: 30 },
        Buffer.alloc(4),
      ).toString('hex'),
    ).toBe(sha(data.subarray(0, 10)));
  });

  it('one-shot and streaming digests agree for blake2b and blake3', () => {
    const { p, data } = file(20);
    for (const alg of ['blake2b', 'blake3'] as const) {
      const item: HashItem = { path: p, name: 'f', start: 0, end: 20, alg, expectSize: 20 };
      expect(hashRangeSync(item, Buffer.alloc(64)).toString('hex')).toBe(
        hashRangeSync(item, Buffer.alloc(3)).toString('hex'),
      );
    }
    expect(
      hashRangeSync(
        { path: p, name: 'f', start: 0, end: 20, alg: 'blake2b', expectSize: 20 },
        Buffer.alloc(64),
      ).toString('hex'),
    ).toBe(createHash('blake2b512').update(data).digest('hex'));
  });

  it('fails with the file name when it was written in place after it was listed (same size)', () => {
    const { p } = file(16);
    utimesSync(p, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    const item: HashItem = { path: p, name: 'w.bin', start: 0, end: 16, alg: 'sha256', expectSize: 16 };
    item.stamp = stampOf(statSync(p));
    expect(hashRangeSync(item, Buffer.alloc(64)).length).toBe(32); // unchanged: hashes
    const fd = openSync(p, 'r+');
    writeSync(fd, Buffer.alloc(4), 0, 4, 0); // zeros at offset 0, size unchanged
    closeSync(fd);
    expect(() => hashRangeSync(item, Buffer.alloc(64))).toThrow(
      "file 'w.bin' changed since it was listed (its modification time changed); hash again once nothing writes to it",
    );
  });

  it('fails when the file was replaced by another one (new inode)', () => {
    const { p, data } = file(16);
    const item: HashItem = { path: p, name: 'r.bin', start: 0, end: 16, alg: 'sha256', expectSize: 16 };
    item.stamp = stampOf(statSync(p));
    rmSync(p);
    writeFileSync(path.join(dir, 'spacer'), 'x'); // keep the old inode number from being reused at once
    writeFileSync(p, data);
    expect(() => hashRangeSync(item, Buffer.alloc(64))).toThrow(
      /^file 'r\.bin' changed since it was listed \(its (inode|modification time|change time) changed\)/,
    );
  });
});

describe('hashRange (sliced, for the calling thread)', () => {
  const MiB = 1024 * 1024;
  const size = 3 * SLICE_BYTES + 12345; // four slices, the last one short
  const big = file(size);
  const whole: HashItem = {
    path: big.p,
    name: 'big.bin',
    start: 0,
    end: size,
    alg: 'sha256',
    expectSize: size,
  };

  it('gives the same digest as one pass, and the event loop turns between slices', async () => {
    let turns = 0;
    let stop = false;
    const tick = () => {
      if (stop) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    let seen = 0;
    const digest = await hashRange(whole, Buffer.alloc(2 * MiB), (n) => (seen += n));
    stop = true;
    expect(digest.toString('hex')).toBe(sha(big.data));
    expect(seen).toBe(size);
    // one turn after each of the first three full slices (none after the last one)
    expect(turns).toBe(3);
  });

  it('fails closed when the file changes between two slices, naming the file', async () => {
    const { p } = file(2 * SLICE_BYTES + 1);
    const item: HashItem = { path: p, name: 'w.bin', start: 0, end: 2 * SLICE_BYTES + 1, alg: 'sha256' };
    item.expectSize = item.end;
    let written = false;
    setImmediate(() => {
      // runs in the first pause: the file grows by one byte past what was listed
      writeFileSync(p, Buffer.alloc(1), { flag: 'a' });
      written = true;
    });
    await expect(hashRange(item, Buffer.alloc(4 * MiB))).rejects.toThrow(
      "file 'w.bin' changed while hashing: it grew beyond 67108865 bytes",
    );
    expect(written).toBe(true);
  });

  it('a throw from the progress callback stops it after that read', async () => {
    let reads = 0;
    await expect(
      hashRange(whole, Buffer.alloc(2 * MiB), () => {
        if (++reads === 3) throw new Error('stop');
      }),
    ).rejects.toThrow(HashRangeError);
    expect(reads).toBe(3);
  });
});
