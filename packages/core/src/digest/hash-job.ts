// The hash items and batches of one job in a compact, column-wise form in shared memory for the
// worker threads: paths and names as UTF-8 bytes, ranges and batches as typed arrays. Workers
// rebuild an item only when they hash it. Structured-cloning 100,000 item objects into a worker
// cost it about 40 MiB of heap; this costs the job about 12 MiB in all, shared by every thread.
import type { HashItem } from './hash-range.js';
import type { FileStamp } from '../types.js';
import { HASH_ALGORITHMS } from './hasher.js';

/** What a worker needs to rebuild any item of the job on demand (see `jobItem`). */
export interface PackedJob {
  /** UTF-8: path and name of item 0, then of item 1, ... */
  text: SharedArrayBuffer;
  /** Float64 x 2 per item: byte offset in `text` where its path ends, where its name ends */
  ends: SharedArrayBuffer;
  /**
   * Float64 x 8 per item: start, end, expected file size (-1 when unknown), then its stamp's dev,
   * ino, size, mtimeMs, ctimeMs (dev NaN when it has none)
   */
  ranges: SharedArrayBuffer;
  /** Uint8 per item: index into HASH_ALGORITHMS */
  algs: SharedArrayBuffer;
  /** Int32: the item indices of every batch, batch after batch */
  batchItems: SharedArrayBuffer;
  /** Int32 per batch: end offset of its items in `batchItems` */
  batchEnds: SharedArrayBuffer;
}

const PER_ITEM = 8;

/** Pack `items` and their batches (lists of item indices). */
export function packJob(items: HashItem[], batches: number[][]): PackedJob {
  const n = items.length;
  const ends = new Float64Array(new SharedArrayBuffer(n * 2 * 8));
  const ranges = new Float64Array(new SharedArrayBuffer(n * PER_ITEM * 8));
  const algs = new Uint8Array(new SharedArrayBuffer(n));
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    bytes += Buffer.byteLength(items[i].path);
    ends[2 * i] = bytes;
    bytes += Buffer.byteLength(items[i].name);
    ends[2 * i + 1] = bytes;
  }
  const text = Buffer.from(new SharedArrayBuffer(bytes));
  for (let i = 0; i < n; i++) {
    const it = items[i];
    text.write(it.path, i === 0 ? 0 : ends[2 * i - 1]);
    text.write(it.name, ends[2 * i]);
    const r = PER_ITEM * i;
    ranges[r] = it.start;
    ranges[r + 1] = it.end;
    ranges[r + 2] = it.expectSize ?? -1;
    const st = it.stamp;
    ranges[r + 3] = st ? st.dev : NaN;
    if (st) {
      ranges[r + 4] = st.ino;
      ranges[r + 5] = st.size;
      ranges[r + 6] = st.mtimeMs;
      ranges[r + 7] = st.ctimeMs;
    }
    algs[i] = HASH_ALGORITHMS.indexOf(it.alg);
  }
  const total = batches.reduce((s, b) => s + b.length, 0);
  const batchItems = new Int32Array(new SharedArrayBuffer(total * 4));
  const batchEnds = new Int32Array(new SharedArrayBuffer(batches.length * 4));
  let k = 0;
  batches.forEach((b, j) => {
    batchItems.set(b, k);
    k += b.length;
    batchEnds[j] = k;
  });
  return {
    text: text.buffer,
    ends: ends.buffer,
    ranges: ranges.buffer,
    algs: algs.buffer,
    batchItems: batchItems.buffer,
    batchEnds: batchEnds.buffer,
  };
}

/** Typed views over a packed job, made once per worker. */
export class JobView {
  private readonly text: Buffer;
  private readonly ends: Float64Array;
  private readonly ranges: Float64Array;
  private readonly algs: Uint8Array;
  private readonly batchItems: Int32Array;
  private readonly batchEnds: Int32Array;

  constructor(job: PackedJob) {
    this.text = Buffer.from(job.text);
    this.ends = new Float64Array(job.ends);
    this.ranges = new Float64Array(job.ranges);
    this.algs = new Uint8Array(job.algs);
    this.batchItems = new Int32Array(job.batchItems);
    this.batchEnds = new Int32Array(job.batchEnds);
  }

  get batchCount(): number {
    return this.batchEnds.length;
  }

  /** The item indices of batch `b`. */
  batch(b: number): Int32Array {
    return this.batchItems.subarray(b === 0 ? 0 : this.batchEnds[b - 1], this.batchEnds[b]);
  }

  /** Item `i`, rebuilt. */
  item(i: number): HashItem {
    const start = i === 0 ? 0 : this.ends[2 * i - 1];
    const r = PER_ITEM * i;
    const x = this.ranges;
    const expect = x[r + 2];
    const stamp: FileStamp | undefined = Number.isNaN(x[r + 3])
      ? undefined
      : { dev: x[r + 3], ino: x[r + 4], size: x[r + 5], mtimeMs: x[r + 6], ctimeMs: x[r + 7] };
    return {
      path: this.text.toString('utf8', start, this.ends[2 * i]),
      name: this.text.toString('utf8', this.ends[2 * i], this.ends[2 * i + 1]),
      start: x[r],
      end: x[r + 1],
      alg: HASH_ALGORITHMS[this.algs[i]],
      ...(expect >= 0 ? { expectSize: expect } : {}),
      ...(stamp ? { stamp } : {}),
    };
  }
}
