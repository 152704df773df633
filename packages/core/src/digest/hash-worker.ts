// Worker-thread entry of the hashing pool: claims batches of file ranges from shared memory,
// writes their digests there and reports progress at most every ~64 MiB or 100 ms.
import { parentPort } from 'node:worker_threads';
import { BatchClaims } from './batch-claims.js';
import { JobView } from './hash-job.js';
import { HashRangeError, READ_SIZE, describeReadError, hashRangeSync } from './hash-range.js';
import type { JobMessage, WorkerMessage } from './hash-protocol.js';

const PROGRESS_BYTES = 64 * 1024 * 1024;
const PROGRESS_MS = 100;

const port = parentPort;
if (!port) throw new Error('hash-worker must run as a worker thread');

const buf = Buffer.allocUnsafe(READ_SIZE);
let pending = 0;
let lastSent = Date.now();
let current = '';

function send(msg: WorkerMessage): void {
  port!.postMessage(msg);
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

port.on('message', (job: JobMessage) => {
  const view = new JobView(job.job);
  const claims = new BatchClaims(job.claims, view.batchCount);
  const out = new Uint8Array(job.digests);
  for (let b = claims.front(); b >= 0; b = claims.front()) {
    for (const i of view.batch(b)) {
      const item = view.item(i);
      current = item.name;
      try {
        out.set(hashRangeSync(item, buf, onBytes), i * job.digestLength);
        if (job.reportItems) send({ type: 'item', index: i });
      } catch (e) {
        claims.abort();
        send({
          type: 'error',
          failure: e instanceof HashRangeError ? e.failure : describeReadError(item.name, e),
        });
        return;
      }
    }
  }
  // The answer carries the unreported bytes.
  const bytes = pending;
  pending = 0;
  send({ type: 'done', bytes, item: current });
});
