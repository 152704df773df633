// Runs hash items on a pool of worker threads: largest items first, small items batched per
// message, two batches in flight per worker. The calling thread helps with the smallest batches
// (it starts at once, while workers boot), and tiny jobs never start a worker at all.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModelsealError } from '../errors.js';
import { HashRangeError, READ_SIZE, describeReadError, hashRangeSync, type HashItem } from './hash-range.js';
import type { BatchMessage, WorkerMessage } from './hash-protocol.js';

/** A batch closes when it holds this many bytes... */
const BATCH_BYTES = 4 * 1024 * 1024;
/** ...or this many items. */
const BATCH_ITEMS = 128;
/** Small batches queued on one worker at a time (hides the message round trip). */
const IN_FLIGHT = 2;
/** Only batches up to this size are queued behind another: a big one waits for an idle worker. */
const QUEUE_MAX_BYTES = 2 * BATCH_BYTES;
/** The calling thread only takes batches up to this size, so it never blocks its event loop long. */
const MAIN_BATCH_MAX_BYTES = 8 * 1024 * 1024;
/** Jobs at most this big (bytes and items) skip the workers: starting a thread costs more. */
export const INLINE_MAX_BYTES = 4 * 1024 * 1024;
export const INLINE_MAX_ITEMS = 256;

export interface RunOptions {
  /** worker threads to start at most */
  jobs: number;
  /** told about every hashed chunk (bytes since the last call, current item name) */
  onBytes?: (bytes: number, item: string) => void;
  /**
   * Jobs up to this many bytes run on the calling thread only (default 4 MiB). 0 keeps all
   * hashing on workers; Infinity keeps it all on the calling thread.
   */
  inlineMaxBytes?: number;
}

/**
 * How to start a worker: the compiled `hash-worker.js` next to this file (dist), or, when running
 * from sources (vitest, tsx), a tiny bootstrap that registers tsx in the worker and imports the
 * `.ts` file (Node 20 does not apply `--import tsx` from a worker's execArgv).
 */
function workerEntry(): { spec: URL | string; eval: boolean } {
  const js = new URL('./hash-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { spec: js, eval: false };
  const ts = new URL('./hash-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return { spec: boot, eval: true };
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

let mainBuffer: Buffer | undefined;

/** Hash items on the calling thread, storing digests into `results`. */
function hashHere(items: HashItem[], idx: number[], results: Buffer[], onBytes?: (bytes: number, item: string) => void): void {
  mainBuffer ??= Buffer.allocUnsafe(READ_SIZE);
  for (const i of idx) {
    const it = items[i];
    try {
      results[i] = hashRangeSync(it, mainBuffer, onBytes ? (n) => onBytes(n, it.name) : undefined);
    } catch (e) {
      const f = e instanceof HashRangeError ? e.failure : describeReadError(it.name, e);
      throw new ModelsealError(f.code, f.message, { cause: e });
    }
  }
}

/** Hash every item; the result holds each item's raw digest at the item's index. */
export async function runHashItems(items: HashItem[], opts: RunOptions): Promise<Buffer[]> {
  const results: Buffer[] = new Array(items.length);
  if (items.length === 0) return results;
  const total = items.reduce((s, it) => s + itemSize(it), 0);
  const inlineMax = opts.inlineMaxBytes ?? INLINE_MAX_BYTES;
  if (total <= inlineMax && (items.length <= INLINE_MAX_ITEMS || inlineMax === Infinity)) {
    hashHere(items, items.map((_, i) => i), results, opts.onBytes);
    return results;
  }

  const batches = planBatches(items);
  const mainHelps = inlineMax > 0;
  const nWorkers = Math.max(1, Math.min(opts.jobs, batches.length));
  const entry = workerEntry();

  return new Promise<Buffer[]>((resolve, reject) => {
    const workers: Worker[] = [];
    const inFlight = new Map<number, Batch>(); // batch id -> batch
    let lo = 0; // workers take from the front (largest first)
    let hi = batches.length - 1; // the calling thread takes from the back (smallest first)
    let remaining = batches.length;
    let settled = false;

    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      const stopped = Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
      void stopped.then(() => (err ? reject(err) : resolve(results)));
    };

    const completed = () => {
      if (--remaining === 0) finish();
    };

    const busy = new Map<Worker, number>(); // batches in flight per worker

    /** Give `w` the next batch if it is idle, or if it is busy and the next batch is small. */
    const dispatch = (w: Worker): boolean => {
      if (lo > hi) return false;
      const n = busy.get(w) ?? 0;
      if (n >= IN_FLIGHT || (n > 0 && batches[lo].bytes > QUEUE_MAX_BYTES)) return false;
      const id = lo++;
      const b = batches[id];
      inFlight.set(id, b);
      busy.set(w, n + 1);
      const msg: BatchMessage = { type: 'batch', id, items: b.idx.map((i) => items[i]) };
      w.postMessage(msg);
      return true;
    };

    const helpHere = () => {
      if (settled || lo > hi || batches[hi].bytes > MAIN_BATCH_MAX_BYTES) return;
      const b = batches[hi--];
      try {
        hashHere(items, b.idx, results, opts.onBytes);
      } catch (e) {
        finish(e);
        return;
      }
      completed();
      setImmediate(helpHere); // let worker messages and timers run between batches
    };

    for (let k = 0; k < nWorkers; k++) {
      const w = new Worker(entry.spec, { eval: entry.eval });
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (settled) return;
        if (m.type === 'progress') {
          opts.onBytes?.(m.bytes, m.item);
        } else if (m.type === 'done') {
          const b = inFlight.get(m.id)!;
          inFlight.delete(m.id);
          b.idx.forEach((i, j) => (results[i] = Buffer.from(m.digests[j].buffer, m.digests[j].byteOffset, m.digests[j].byteLength)));
          if (m.bytes > 0) opts.onBytes?.(m.bytes, items[b.idx[b.idx.length - 1]].name);
          busy.set(w, (busy.get(w) ?? 1) - 1);
          while (dispatch(w));
          completed();
        } else {
          finish(new ModelsealError(m.failure.code, m.failure.message));
        }
      });
      w.on('error', (e) => finish(new ModelsealError('UNREADABLE', `hashing worker failed: ${e.message}`, { cause: e })));
      w.on('exit', (code) => {
        if (!settled) finish(new ModelsealError('UNREADABLE', `hashing worker exited early (code ${code})`));
      });
    }
    // Round robin: every worker gets one batch before any gets a second.
    for (let q = 0; q < IN_FLIGHT; q++) for (const w of workers) dispatch(w);
    if (mainHelps) setImmediate(helpHere);
  });
}
