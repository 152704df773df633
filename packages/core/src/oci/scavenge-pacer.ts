// Keeps a transfer's garbage small. Node's HTTP client allocates a fresh ArrayBuffer for every socket
// read and another for every body piece, and fs read streams one per read. V8 frees them only in a
// scavenge, which it starts for external memory only once young ArrayBuffers reach twice the maximum
// semi-space (32 MiB on x64); pieces still in a pipeline at two scavenges are promoted and wait for
// a full GC. A 2 GiB pull peaked at 58-70 MiB of ArrayBuffers (process.memoryUsage() every 20 ms),
// of which a heap snapshot found 5 MiB alive. So every SCAVENGE_EVERY bytes that pass a transfer's
// digest check a scavenge runs (0.2-0.5 ms on this small heap), and every MAJOR_EVERY bytes a full
// GC (~5 ms). The collector is V8's own `gc`, exposed for a moment through --expose-gc and taken
// from a fresh vm context; where that is unavailable, nothing is paced.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc`: a full collection without arguments, a scavenge with `{ type: 'minor' }`. */
type CollectGarbage = (options?: { type: 'minor' }) => void;

/** Bytes between two young-generation collections. */
const SCAVENGE_EVERY = 4 * 1024 * 1024;
/** Bytes between two full collections. */
const MAJOR_EVERY = 64 * 1024 * 1024;

let collector: CollectGarbage | null | undefined;

function loadCollector(): CollectGarbage | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collector = typeof gc === 'function' ? (gc as CollectGarbage) : null;
  } catch {
    collector = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collector;
}

let sinceMinor = 0;
let sinceMajor = 0;

/**
 * Account `bytes` of transferred data (process-wide, all parallel blobs together) and collect the
 * garbage their buffers left when enough went through.
 */
export function paceScavenges(bytes: number): void {
  sinceMinor += bytes;
  if (sinceMinor < SCAVENGE_EVERY) return;
  sinceMinor = 0;
  sinceMajor += SCAVENGE_EVERY;
  const gc = loadCollector();
  if (!gc) return;
  if (sinceMajor >= MAJOR_EVERY) {
    sinceMajor = 0;
    gc();
  } else gc({ type: 'minor' });
}
