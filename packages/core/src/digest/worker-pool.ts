// Runs hash items on the calling thread plus jobs-1 worker threads. Items are grouped into
// batches that the threads claim through shared memory (no message per batch): workers take the
// largest first, the calling thread the smallest first (it starts at once, while workers boot).
// The calling thread hashes big files in slices with a turn of the event loop between them, so it
// stays responsive (signals, timers, worker messages) while it hashes. Tiny jobs never start a worker at all.
import type { Worker } from 'node:worker_threads';
import { ModelsealError } from '../errors.js';
import {
  HashRangeError,
  READ_SIZE,
  describeReadError,
  SLICE_BYTES,
  hashRange,
  hashRangeSync,
  type HashItem,
} from './hash-range.js';
import type { JobMessage, WorkerMessage } from './hash-protocol.js';
import { BatchClaims } from './batch-claims.js';
import { packJob } from './hash-job.js';
import { DIGEST_LENGTH, HASH_ALGORITHMS } from './hasher.js';
import { startHashWorker, type WarmWorkers } from './warm-workers.js';

/** A batch closes when it holds this many bytes... */
const BATCH_BYTES = 4 * 1024 * 1024;
/** ...or this many items. */
const BATCH_ITEMS = 128;
/** Jobs at most this big (bytes and items) skip the workers: starting a thread costs more. */
export const INLINE_MAX_BYTES = 4 * 1024 * 1024;
export const INLINE_MAX_ITEMS = 256;

export interface RunOptions {
  /** hashing threads at most, the calling thread included (it starts jobs-1 workers) */
  jobs: number;
  /** told about every hashed chunk (bytes since the last call, current item name) */
  onBytes?: (bytes: number, item: string) => void;
  /** told each item's index once its digest is in the result (in completion order) */
  onItem?: (index: number, digests: ItemDigests) => void;
  /**
   * Jobs up to this many bytes run on the calling thread only (default 4 MiB). 0 keeps all
   * hashing on workers; Infinity keeps it all on the calling thread.
   */
  inlineMaxBytes?: number;
  /** workers started ahead of time (during the walk): used before starting new ones */
  warm?: WarmWorkers;
  /**
   * Stops the job: the calling thread stops after its current read, every worker is terminated, and
   * the promise rejects with `signal.reason` (an AbortError) once they are gone.
   */
  signal?: AbortSignal;
}

function itemSize(it: HashItem): number {
  return it.end - it.start;
}

export interface Batch {
  idx: number[];
  bytes: number;
}

/** Group item indices into batches, largest items first. */
export function planBatches(items: HashItem[]): Batch[] {
  const order = items.map((_, i) => i).sort((a, b) => itemSize(items[b]) - itemSize(items[a]));
  const batches: Batch[] = [];
  let cur: Batch = { idx: [], bytes: 0 };
  for (const i of order) {
    cur.idx.push(i);
    cur.bytes += itemSize(items[i]);
    if (cur.bytes >= BATCH_BYTES || cur.idx.length >= BATCH_ITEMS) {
      batches.push(cur);
      cur = { idx: [], bytes: 0 };
    }
  }
  if (cur.idx.length > 0) batches.push(cur);
  return batches;
}

/**
 * Hash items on the calling thread, storing digests into `out`. An item bigger than a slice is
 * hashed in slices, with a turn of the event loop between them. Checks `signal` before each item
 * and after each read, and then throws its reason. `buf` is this call's own: two hashes may run
 * on the calling thread at once.
 */
async function hashHere(
  items: HashItem[],
  idx: ArrayLike<number>,
  out: ItemDigests,
  buf: Buffer,
  onBytes?: (bytes: number, item: string) => void,
  signal?: AbortSignal,
  onItem?: (index: number, digests: ItemDigests) => void,
): Promise<void> {
  for (let k = 0; k < idx.length; k++) {
    signal?.throwIfAborted();
    const i = idx[k];
    const it = items[i];
    const afterRead =
      onBytes || signal
        ? (n: number) => {
            signal?.throwIfAborted(); // the range hash wraps it: rethrown below
            onBytes?.(n, it.name);
          }
        : undefined;
    try {
      const digest =
        itemSize(it) > SLICE_BYTES ? await hashRange(it, buf, afterRead) : hashRangeSync(it, buf, afterRead);
      out.bytes.set(digest, i * out.stride);
    } catch (e) {
      signal?.throwIfAborted();
      const f = e instanceof HashRangeError ? e.failure : describeReadError(it.name, e);
      throw new ModelsealError(f.code, f.message, { cause: e });
    }
    onItem?.(i, out);
  }
}

/** The raw digests of a job's items, item i's at `i * stride` (no object per item). */
export class ItemDigests {
  readonly stride = Math.max(...HASH_ALGORITHMS.map((a) => DIGEST_LENGTH[a]));
  readonly bytes: Buffer;

  constructor(
    private readonly items: HashItem[],
    shared: boolean,
  ) {
    const size = items.length * this.stride;
    this.bytes = shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.alloc(size);
  }

  /** Item i's digest as lowercase hex. */
  hex(i: number): string {
    const at = i * this.stride;
    return this.bytes.toString('hex', at, at + DIGEST_LENGTH[this.items[i].alg]);
  }
}

/**
 * Hash every item; the result holds each item's raw digest at the item's index. The workers it
 * starts (or adopts from `opts.warm`) are all terminated before the promise settles, whether it
 * resolves, fails or is aborted; nothing outlives the call.
 */
export async function runHashItems(items: HashItem[], opts: RunOptions): Promise<ItemDigests> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const total = items.reduce((s, it) => s + itemSize(it), 0);
  const inlineMax = opts.inlineMaxBytes ?? INLINE_MAX_BYTES;
  if (
    items.length === 0 ||
    (total <= inlineMax && (items.length <= INLINE_MAX_ITEMS || inlineMax === Infinity))
  ) {
    const results = new ItemDigests(items, false);
    await hashHere(
      items,
      items.map((_, i) => i),
      results,
      Buffer.allocUnsafeSlow(READ_SIZE),
      opts.onBytes,
      signal,
      opts.onItem,
    );
    return results;
  }

  const batches = planBatches(items);
  // The calling thread is one of the `jobs` hashing threads, unless told to keep off (0).
  const mainHelps = inlineMax > 0;
  const nWorkers = Math.min(
    mainHelps ? opts.jobs - 1 : Math.max(1, opts.jobs),
    batches.length - (mainHelps ? 1 : 0),
  );
  const claims = new BatchClaims(BatchClaims.allocate(batches.length), batches.length);
  const results = new ItemDigests(items, true);

  return new Promise<ItemDigests>((resolve, reject) => {
    const workers: Worker[] = [];
    let running = nWorkers + (mainHelps ? 1 : 0); // threads still claiming
    let settled = false;
    // Stops the calling thread's share after its current read when the job ends early.
    const stop = new AbortController();
    const mainSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    let mainShare: Promise<void> = Promise.resolve();

    const onAbort = () => finish({ err: signal?.reason });
    const finish = (failed?: { err: unknown }) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (failed) {
        claims.abort();
        stop.abort();
      }
      // Settle only once no thread, the calling one included, still hashes.
      const stopped = Promise.all([...workers.map((w) => w.terminate().catch(() => 0)), mainShare]);
      void stopped.then(() => (failed ? reject(failed.err) : resolve(results)));
    };

    const threadDone = () => {
      if (--running === 0) finish();
    };

    /** The calling thread's share: batches from the back, a turn of the event loop between them. */
    const helpHere = async (buf: Buffer) => {
      for (;;) {
        if (settled) return;
        const b = claims.fromBack();
        if (b < 0) return threadDone();
        try {
          await hashHere(items, batches[b].idx, results, buf, opts.onBytes, mainSignal, opts.onItem);
        } catch (e) {
          return finish({ err: e });
        }
        // let worker messages and timers run between batches of small files (read synchronously)
        await new Promise<void>((r) => setImmediate(r));
      }
    };

    const job: JobMessage = {
      type: 'job',
      job: packJob(
        items,
        batches.map((b) => b.idx),
      ),
      claims: claims.shared,
      digests: results.bytes.buffer as SharedArrayBuffer,
      digestLength: results.stride,
      ...(opts.onItem ? { reportItems: true } : {}),
    };
    for (let k = 0; k < nWorkers; k++) {
      const w = opts.warm?.take() ?? startHashWorker();
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (settled) return;
        if (m.type === 'progress') {
          opts.onBytes?.(m.bytes, m.item);
        } else if (m.type === 'item') {
          opts.onItem?.(m.index, results);
        } else if (m.type === 'done') {
          if (m.bytes > 0) opts.onBytes?.(m.bytes, m.item);
          threadDone();
        } else {
          finish({ err: new ModelsealError(m.failure.code, m.failure.message) });
        }
      });
      w.on('error', (e) =>
        finish({
          err: new ModelsealError('UNREADABLE', `hashing worker failed: ${e.message}`, { cause: e }),
        }),
      );
      w.on('exit', (code) => {
        if (!settled)
          finish({ err: new ModelsealError('UNREADABLE', `hashing worker exited early (code ${code})`) });
      });
      w.postMessage(job);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (mainHelps) mainShare = helpHere(Buffer.allocUnsafeSlow(READ_SIZE)); // start at once, while the workers boot
  });
}
