// Keeps a transfer's garbage small. Node's HTTP client allocates a fresh ArrayBuffer for every socket
// read and another for every body piece, and fs read streams one per read. V8 frees them only in a
// scavenge, which it starts for external memory only once young ArrayBuffers reach twice the maximum
// semi-space (32 MiB on x64); pieces still in a pipeline at two scavenges are promoted and wait for
// a full GC. A 2 GiB pull peaked at 58-70 MiB of ArrayBuffers (process.memoryUsage() every 20 ms),
// of which a heap snapshot found 5 MiB alive. So every SCAVENGE_EVERY bytes that pass a transfer's
// digest check a scavenge runs (0.2-0.5 ms on this small heap); a full GC runs only when ArrayBuffers
// still grew by MAJOR_GROWTH since the last one (promoted garbage). A full GC every 64 MiB instead
// cost a 2 GiB pull 0.7 s, and 3 s once `--verify` had loaded Sigstore (a bigger heap to mark), and
// lowered no peak. The collector is V8's own `gc`, exposed for a moment through --expose-gc and
// taken from a fresh vm context; where that is unavailable, nothing is paced.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc`: a full collection without arguments, a scavenge with `{ type: 'minor' }`. */
type CollectGarbage = (options?: { type: 'minor' }) => void;

/** Bytes between two young-generation collections. */
const SCAVENGE_EVERY = 4 * 1024 * 1024;
/**
 * Growth of ArrayBuffer memory, after a scavenge, over what the last full collection left, that
 * calls for another: a baseline, not a bound, so that buffers a program keeps (however many) never
 * make every step a full collection.
 */
const MAJOR_GROWTH = 16 * 1024 * 1024;

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
/** ArrayBuffer bytes after the last full collection, or the lowest seen after a scavenge since. */
let baseline: number | undefined;

/**
 * Account `bytes` of transferred data (process-wide, all parallel blobs together) and collect the
 * garbage their buffers left when enough went through.
 */
export function paceScavenges(bytes: number): void {
  sinceMinor += bytes;
  if (sinceMinor < SCAVENGE_EVERY) return;
  sinceMinor = 0;
  const gc = loadCollector();
  if (!gc) return;
  gc({ type: 'minor' });
  const buffers = process.memoryUsage().arrayBuffers;
  baseline = Math.min(baseline ?? buffers, buffers); // what the program holds may also shrink
  if (buffers - baseline > MAJOR_GROWTH) {
    gc();
    baseline = process.memoryUsage().arrayBuffers;
  }
}
