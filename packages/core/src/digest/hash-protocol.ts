// Messages exchanged between `hashFiles` (main thread) and its hashing workers.
import type { HashFailure, HashItem } from './hash-range.js';

/** main -> worker: hash these items in order and answer with one `done` (or `error`). */
export interface BatchMessage {
  type: 'batch';
  id: number;
  items: HashItem[];
}

/** worker -> main */
export type WorkerMessage =
  | { type: 'progress'; bytes: number; item: string }
  | { type: 'done'; id: number; digests: Uint8Array[]; bytes: number }
  | { type: 'error'; id: number; failure: HashFailure };
