// Messages exchanged between `runHashItems` (main thread) and its hashing workers.
import type { PackedJob } from './hash-job.js';
import type { HashFailure } from './hash-range.js';

/**
 * main -> worker, once: claim batches through `claims` (see BatchClaims) until none is left,
 * writing item i's digest at `digests[i * digestLength]`, then answer `done` (or `error`).
 */
export interface JobMessage {
  type: 'job';
  /** the items and their batches (largest batches first), see `JobView` */
  job: PackedJob;
  claims: SharedArrayBuffer;
  digests: SharedArrayBuffer;
  digestLength: number;
  /** also answer `item` for each item once its digest is written */
  reportItems?: boolean;
}

/** worker -> main */
export type WorkerMessage =
  | { type: 'progress'; bytes: number; item: string }
  | { type: 'item'; index: number }
  | { type: 'done'; bytes: number; item: string }
  | { type: 'error'; failure: HashFailure };
