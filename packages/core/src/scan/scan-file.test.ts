// scanFile on real sparse files: a safetensors file whose header length starts with a line opcode
// (0x49 INT, 0x50 PERSID) and whose data section has no newline costs at most MAX_LINE_BYTES of reading, then is
// flagged (pickle.load would read on; the scanner does not); with a newline early in the data it is
// clean after reading a few KiB. Bytes read are the process's rchar from /proc/self/io.
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from './pickle-scan.js';
import { scanFile } from './scan-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ms-scan-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rchar = (): number => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);

/** A sparse safetensors file of `size` bytes: header of exactly `headerLength` bytes, zero data, `extra` at data byte 0. */
function sparseSafetensors(
  name: string,
  size: number,
  headerLength: number,
  extra = Buffer.alloc(0),
): string {
  const n = size - 8 - headerLength;
  const json = JSON.stringify({ w: { dtype: 'U8', shape: [n], data_offsets: [0, n] } }).padEnd(
    headerLength,
    ' ',
  );
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerLength));
  writeSync(fd, Buffer.concat([len, Buffer.from(json, 'latin1'), extra]));
  ftruncateSync(fd, size);
  closeSync(fd);
  return file;
}

describe('scanFile reads a bounded amount of a large file', () => {
  const GiB = 1024 ** 3;
  it('a line opcode at byte 0 and no newline: flagged after at most MAX_LINE_BYTES, not the whole GiB', async () => {
    const file = sparseSafetensors('i.safetensors', GiB, 0x149); // length bytes 49 01 ...: INT
    const before = rchar();
    const r = await scanFile(file, 'i.safetensors', []);
    const read = rchar() - before;
    expect(read).toBeGreaterThan(MAX_LINE_BYTES);
    expect(read).toBeLessThan(MAX_LINE_BYTES + 4 * 1024 * 1024);
    expect(r.verdict).toBe('flagged');
    expect(r.format).toBe('polyglot');
    expect(r.findings.map((f) => f.message)).toEqual([
      'i.safetensors: is a polyglot: safetensors and pickle loaders all accept it, so what runs depends on which one opens it',
      `i.safetensors at byte 0: not a well-formed pickle: a line argument runs over ${MAX_LINE_BYTES} bytes without a newline; the scanner reads no further`,
    ]);
  });

  it('PERSID at byte 0 (no loader has a persistent_load for the first pickle): clean, also bounded', async () => {
    const file = sparseSafetensors('p.safetensors', GiB, 0x150); // length bytes 50 01 ...: PERSID
    const before = rchar();
    const r = await scanFile(file, 'p.safetensors', []);
    expect(rchar() - before).toBeLessThan(MAX_LINE_BYTES + 4 * 1024 * 1024);
    expect([r.format, r.verdict, r.findings]).toEqual(['safetensors', 'clean', []]);
  });

  it('INT at byte 0 with a newline early in the data: clean, a few KiB read', async () => {
    const file = sparseSafetensors('n.safetensors', GiB, 0x149, Buffer.from('\n'));
    const before = rchar();
    const r = await scanFile(file, 'n.safetensors', []);
    expect(rchar() - before).toBeLessThan(256 * 1024);
    expect([r.format, r.verdict, r.findings]).toEqual(['safetensors', 'clean', []]);
  });
});
