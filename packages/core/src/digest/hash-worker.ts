// Worker-thread entry of the hashing pool: hashes batches of file ranges and reports progress.
// One reusable read buffer per worker; progress is sent at most every ~64 MiB or 100 ms.
import { parentPort } from 'node:worker_threads';
import { HashRangeError, READ_SIZE, describeReadError, hashRangeSync } from './hash-range.js';
import type { BatchMessage, WorkerMessage } from './hash-protocol.js';

const PROGRESS_BYTES = 64 * 1024 * 1024;
const PROGRESS_MS = 100;

const port = parentPort;
if (!port) throw new Error('hash-worker must run as a worker thread');

const buf = Buffer.allocUnsafe(READ_SIZE);
let pending = 0;
let lastSent = Date.now();
let current = '';

function send(msg: WorkerMessage, transfer?: ArrayBuffer[]): void {
  port!.postMessage(msg, transfer);
}

function flushProgress(): void {
  if (pending > 0) {
    send({ type: 'progress', bytes: pending, item: current });
    pending = 0;
  }
  lastSent = Date.now();
}

function onBytes(n: number): void {
  pending += n;
  if (pending >= PROGRESS_BYTES || Date.now() - lastSent >= PROGRESS_MS) flushProgress();
}

port.on('message', (msg: BatchMessage) => {
  const digests: Uint8Array[] = [];
  for (const item of msg.items) {
    current = item.name;
    try {
      digests.push(new Uint8Array(hashRangeSync(item, buf, onBytes)));
    } catch (e) {
      const failure = e instanceof HashRangeError ? e.failure : describeReadError(item.name, e);
      send({ type: 'error', id: msg.id, failure });
      return;
    }
  }
  // The answer carries the unreported bytes, so small batches cost one message each.
  const bytes = pending;
  pending = 0;
  send({ type: 'done', id: msg.id, digests, bytes });
});
