// Runs hash items on a pool of worker threads: largest items first, small items batched per
// message, up to two batches in flight per worker; tiny jobs are hashed on the calling thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModelsealError } from '../errors.js';
import { HashRangeError, READ_SIZE, describeReadError, hashRangeSync, type HashItem } from './hash-range.js';
import type { BatchMessage, WorkerMessage } from './hash-protocol.js';

/** A batch closes when it holds this many bytes... */
const BATCH_BYTES = 8 * 1024 * 1024;
/** ...or this many items. */
const BATCH_ITEMS = 256;
/** Batches queued on one worker at a time (hides the message round trip). */
const IN_FLIGHT = 2;
/** Jobs at most this big (bytes and items) skip the workers: starting a thread costs more. */
export const INLINE_MAX_BYTES = 4 * 1024 * 1024;
export const INLINE_MAX_ITEMS = 256;

export interface RunOptions {
  jobs: number;
  /** told about every hashed chunk (bytes since the last call, current item name) */
  onBytes?: (bytes: number, item: string) => void;
  /** override the inline threshold (tests use 0 to force workers) */
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

/** Group item indices into batches, largest items first. */
function planBatches(items: HashItem[]): number[][] {
  const order = items.map((_, i) => i).sort((a, b) => itemSize(items[b]) - itemSize(items[a]));
  const batches: number[][] = [];
  let cur: number[] = [];
  let curBytes = 0;
  for (const i of order) {
    cur.push(i);
    curBytes += itemSize(items[i]);
    if (curBytes >= BATCH_BYTES || cur.length >= BATCH_ITEMS) {
      batches.push(cur);
      cur = [];
      curBytes = 0;
    }
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

function hashInline(items: HashItem[], onBytes?: (bytes: number, item: string) => void): Buffer[] {
  const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, Math.max(1, ...items.map(itemSize))));
  return items.map((it) => {
    try {
      return hashRangeSync(it, buf, onBytes ? (n) => onBytes(n, it.name) : undefined);
    } catch (e) {
      const f = e instanceof HashRangeError ? e.failure : describeReadError(it.name, e);
      throw new ModelsealError(f.code, f.message, { cause: e });
    }
  });
}

/** Hash every item; the result holds each item's raw digest at the item's index. */
export async function runHashItems(items: HashItem[], opts: RunOptions): Promise<Buffer[]> {
  if (items.length === 0) return [];
  const total = items.reduce((s, it) => s + itemSize(it), 0);
  const inlineMax = opts.inlineMaxBytes ?? INLINE_MAX_BYTES;
  if (total <= inlineMax && items.length <= INLINE_MAX_ITEMS) return hashInline(items, opts.onBytes);

  const batches = planBatches(items);
  const results: Buffer[] = new Array(items.length);
  const nWorkers = Math.max(1, Math.min(opts.jobs, batches.length));
  const entry = workerEntry();

  return new Promise<Buffer[]>((resolve, reject) => {
    const workers: Worker[] = [];
    const inFlight = new Map<number, number[]>(); // batch id -> item indices
    let next = 0;
    let remaining = batches.length;
    let settled = false;

    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      const stopped = Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
      void stopped.then(() => (err ? reject(err) : resolve(results)));
    };

    const dispatch = (w: Worker) => {
      if (next >= batches.length) return;
      const id = next++;
      const idx = batches[id];
      inFlight.set(id, idx);
      const msg: BatchMessage = { type: 'batch', id, items: idx.map((i) => items[i]) };
      w.postMessage(msg);
    };

    for (let k = 0; k < nWorkers; k++) {
      const w = new Worker(entry.spec, { eval: entry.eval });
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (settled) return;
        if (m.type === 'progress') {
          opts.onBytes?.(m.bytes, m.item);
        } else if (m.type === 'done') {
          const idx = inFlight.get(m.id)!;
          inFlight.delete(m.id);
          idx.forEach((i, j) => (results[i] = Buffer.from(m.digests[j])));
          if (m.bytes > 0) opts.onBytes?.(m.bytes, items[idx[idx.length - 1]].name);
          if (--remaining === 0) finish();
          else dispatch(w);
        } else {
          finish(new ModelsealError(m.failure.code, m.failure.message));
        }
      });
      w.on('error', (e) => finish(new ModelsealError('UNREADABLE', `hashing worker failed: ${e.message}`, { cause: e })));
      w.on('exit', (code) => {
        if (!settled) finish(new ModelsealError('UNREADABLE', `hashing worker exited early (code ${code})`));
      });
      for (let q = 0; q < IN_FLIGHT; q++) dispatch(w);
    }
  });
}
