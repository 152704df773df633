// Messages exchanged between `runHashItems` (main thread) and its hashing workers.
import type { HashFailure, HashItem } from './hash-range.js';

/**
 * main -> worker, once: claim batches through `claims` (see BatchClaims) until none is left,
 * writing item i's digest at `digests[i * digestLength]`, then answer `done` (or `error`).
 */
export interface JobMessage {
  type: 'job';
  items: HashItem[];
  /** item indices per batch, largest batches first */
  batches: number[][];
  claims: SharedArrayBuffer;
  digests: SharedArrayBuffer;
  digestLength: number;
}

/** worker -> main */
export type WorkerMessage =
  | { type: 'progress'; bytes: number; item: string }
  | { type: 'done'; bytes: number; item: string }
  | { type: 'error'; failure: HashFailure };
