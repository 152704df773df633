// `pnpm bench:scan`: how fast `scan` reads pickles, and what a huge safetensors file costs it.
//  1. Pickles of BENCH_SCAN_MIB (default 1024) MiB, scanned on one core (the scanner is one JS thread),
//     against SHA-256 of the same file in the same process (node:crypto, the same 1 MiB reads) as the
//     reference: ratio = scan MB/s / sha256 MB/s, so a loaded machine slows both alike. Two shapes:
//     `dense`, the worst case, 4.5 bytes per opcode (ints, floats, short strings, tuples, APPENDS, memo
//     GETs: what a pickled scikit-learn/joblib object looks like), and `tensors`, a checkpoint whose
//     bytes are mostly BINBYTES8 tensor payloads (passed over by offset, never read).
//  2. A 10 GB sparse safetensors file (one tensor tiling the data section): bytes read, from
//     /proc/self/io rchar, and wall time. Target: its header only (plus the reader's first 64 KiB
//     chunk). And the same with a header length whose low byte is a line opcode (INT): bounded by
//     MAX_LINE_BYTES (128 MiB) and flagged, where pickle.load would read all 10 GB for a newline.
// Files are written once into $BENCH_DIR (default <tmpdir>/modelseal-bench) and reused. Never fails on
// a number: the targets are printed beside the results, with the load average.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { scan, type ScanReport } from '@modelseal/core';
import { benchDir } from './bench-data.js';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_SCAN_MIB ?? 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MBS = 200;

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

/** One block of `dense`: 1000 list items of 5 opcodes each, then APPENDS; a memo GET per item. */
function denseBlock(): Buffer {
  const items: Buffer[] = [bin('(')];
  for (let i = 0; i < 1000; i++) {
    const int = Buffer.alloc(4);
    int.writeInt32LE(i * 7919);
    const float = Buffer.alloc(8);
    float.writeDoubleBE(i / 3);
    const name = `w${String(i).padStart(4, '0')}`;
    // BININT1, BININT, BINFLOAT, SHORT_BINUNICODE, BINGET 0, TUPLE (with its MARK)
    items.push(bin(`(K${String.fromCharCode(i & 0xff)}J`), int, bin('G'), float);
    items.push(bin(`\x8c\x05${name}h\x00t`));
  }
  items.push(bin('e')); // APPENDS
  return Buffer.concat(items);
}

/** A protocol 4 pickle of about `mib` MiB: `[...]` of blocks from `block(i)`, with a memoized first string. */
function writePickle(file: string, mib: number, block: (i: number) => Buffer[]): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, bin('\x80\x04]\x8c\x04head\x94'));
    for (let written = 0, i = 0; written < mib * MiB; i++)
      for (const b of block(i)) written += writeSync(fd, b);
    writeSync(fd, bin('0.')); // POP the memoized string, STOP
  } finally {
    closeSync(fd);
  }
}

/** `tensors`: per 4 MiB, torch._utils._rebuild_tensor_v2-style REDUCE of a BINBYTES8 payload. */
function tensorBlock(): Buffer[] {
  const payload = Buffer.alloc(4 * MiB, 0x3c);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(payload.length));
  return [
    bin('\x8c\x0ctorch._utils\x8c\x12_rebuild_tensor_v2\x93(\x8e'),
    len,
    payload,
    bin('K\x00\x8a\x01\x10\x85t\x85R'), // offset 0, shape (16,), args tuple, REDUCE; list item on the stack
    bin('a'), // APPEND
  ];
}

/** A sparse safetensors file: a header of exactly `headerLength` bytes, one U8 tensor tiling zero data. */
function sparseSafetensors(file: string, size: number, headerLength: number): void {
  const n = size - 8 - headerLength;
  const json = JSON.stringify({ w: { dtype: 'U8', shape: [n], data_offsets: [0, n] } }).padEnd(
    headerLength,
    ' ',
  );
  const fd = openSync(file, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(headerLength));
    writeSync(fd, Buffer.concat([len, bin(json)]));
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** Bytes this process has read through read(2) and friends so far (page cache hits included). */
function rchar(): number {
  const m = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function sha256File(file: string): Promise<void> {
  const handle = await open(file, 'r');
  const buf = Buffer.allocUnsafe(MiB);
  const hash = createHash('sha256');
  try {
    for (let pos = 0; ;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await handle.close();
  }
  hash.digest();
}

/** Median wall ms and CPU ms of `fn` over RUNS runs. */
async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const runs: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const c = process.cpuUsage(c0);
    runs.push({ ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[runs.length >> 1];
}

const mbs = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  const dir = benchDir();
  mkdirSync(dir, { recursive: true });
  console.log(`load average before: ${load()} (the lead's figures are from a quiet machine)`);
  console.log(
    `| pickle (${SIZE_MIB} MiB) | scan MB/s | scan MB/CPU-s | sha256 MB/s | scan / sha256 | target | imports |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const dense = denseBlock();
  const shapes: [string, (i: number) => Buffer[]][] = [
    ['dense', () => [dense]],
    ['tensors', tensorBlock],
  ];
  for (const [shape, block] of shapes) {
    const file = path.join(dir, `scan-${shape}-${SIZE_MIB}.pkl`);
    if (!existsSync(file)) writePickle(file, SIZE_MIB, block);
    const bytes = statSync(file).size;
    await sha256File(file); // warm the page cache
    const hash = await measure(() => sha256File(file));
    let r: ScanReport | undefined;
    const scanned = await measure(async () => (r = await scan(file)));
    if (r === undefined) throw new Error('no scan');
    const f = r.files[0];
    if (f.format !== 'pickle' || !r.clean)
      throw new Error(`${shape}: scanned as ${f.format}, clean ${r.clean}`);
    const s = mbs(bytes, scanned.ms);
    console.log(
      `| ${shape} | ${s.toFixed(0)} | ${mbs(bytes, scanned.cpuMs).toFixed(0)} | ${mbs(bytes, hash.ms).toFixed(0)} | ${(s / mbs(bytes, hash.ms)).toFixed(2)} | >= ${TARGET_MBS} MB/s ${s >= TARGET_MBS ? 'met' : 'NOT met'} | ${f.imports.length} |`,
    );
  }

  console.log('');
  console.log(
    '| 10 GB sparse safetensors | header bytes | bytes read (rchar) | wall ms | verdict | target |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  const BIG = 10_000_000_000;
  // 0x60: no pickle opcode. 0x149: the length's low byte is INT, a line opcode, and the zero data has no
  // newline: pickle.load would read all 10 GB looking for one; the scanner stops at MAX_LINE_BYTES.
  for (const [what, headerLength] of [
    ['plain', 0x60],
    ['INT at byte 0', 0x149],
  ] as const) {
    const big = path.join(dir, `scan-sparse-10GB-${headerLength}.safetensors`);
    if (!existsSync(big) || statSync(big).size !== BIG) sparseSafetensors(big, BIG, headerLength);
    const r0 = rchar();
    const t0 = performance.now();
    const report = await scan(big);
    const ms = performance.now() - t0;
    const read = rchar() - r0;
    const f = report.files[0];
    console.log(
      `| ${what} | ${8 + headerLength} | ${read} | ${ms.toFixed(0)} | ${f.format} ${f.verdict} | ${what === 'plain' ? 'header + 64 KiB probe' : '<= 128 MiB, flagged'} |`,
    );
  }
  console.log(`load average after: ${load()}`);
}

await main();
