// Hash the files of a walked model into OMS resources (one per file, or one per shard), in
// parallel on worker threads, with throttled progress. Resources come back in signing order.
import { availableParallelism } from 'node:os';
import { ModelsealError } from '../errors.js';
import type { HashingConfig, ModelFile, ModelTree, ProgressListener, Resource } from '../types.js';
import type { HashItem } from './hash-range.js';
import { isHashAlgorithm } from './hasher.js';
import { compareUtf8 } from './root-digest.js';
import type { WarmWorkers } from './warm-workers.js';
import { runHashItems, type ItemDigests } from './worker-pool.js';

/** Options of hashFiles(): algorithm, method, shard size, jobs and progress. */
export interface HashFilesOptions {
  config: HashingConfig;
  /** hashing threads, the calling thread included (jobs-1 workers); default `os.availableParallelism()` */
  jobs?: number;
  onProgress?: ProgressListener;
  /** only hash files whose name passes (used by --ignore-unsigned-files) */
  filter?: (name: string) => boolean;
  /** jobs up to this many bytes are hashed on the calling thread (default 4 MiB; 0 forces workers) */
  inlineMaxBytes?: number;
  /** hashing workers already started (see `WarmWorkers`); the caller disposes of the ones left */
  warm?: WarmWorkers;
  /** stops hashing (workers terminated, no more progress) and rejects with `signal.reason` */
  signal?: AbortSignal;
  /**
   * Told each resource (with its file) as soon as its digest is known, in completion order, while
   * the rest is still hashed: e.g. to upload a file whose digest names its blob. Must not throw.
   */
  onHashed?: (resource: Resource, file: ModelFile) => void;
}

const PROGRESS_INTERVAL_MS = 100;

/** Check a hashing config; throws `USAGE` with a one-line reason. */
export function assertHashingConfig(config: HashingConfig): void {
  if (config.method !== 'files' && config.method !== 'shards') {
    throw new ModelsealError(
      'USAGE',
      `unknown serialization method '${String(config.method)}' (use files or shards)`,
    );
  }
  if (!isHashAlgorithm(config.hashType)) {
    throw new ModelsealError(
      'USAGE',
      `unsupported hash type '${String(config.hashType)}' (use sha256, blake2b or blake3)`,
    );
  }
  if (config.method === 'shards' && (!Number.isSafeInteger(config.shardSize) || config.shardSize <= 0)) {
    throw new ModelsealError(
      'USAGE',
      `shard size must be a positive integer, got ${String(config.shardSize)}`,
    );
  }
}

export function defaultJobs(): number {
  return availableParallelism();
}

/** The OMS algorithm string recorded on each resource. */
export function resourceAlgorithm(config: HashingConfig): string {
  return config.method === 'shards' ? `${config.hashType}-sharded-${config.shardSize}` : config.hashType;
}

/**
 * Plan the work: one item per file, or one per shard. An empty file is one shard `path:0:0` (the
 * hash of no bytes), so it is signed and checked like any other file: released model_signing
 * (<= 1.1) leaves empty files out of shard manifests, which lets them be added, deleted or filled
 * unnoticed; sigstore/model-transparency PR #653 records them exactly this way.
 * Unlike Python, blake3 is allowed with shards (`blake3-sharded-<N>`), since our shards already
 * run in parallel.
 */
function planItems(
  files: ModelFile[],
  config: HashingConfig,
): { items: HashItem[]; names: string[]; owners: ModelFile[] } {
  const items: HashItem[] = [];
  const names: string[] = [];
  const owners: ModelFile[] = [];
  for (const f of files) {
    if (config.method === 'files') {
      items.push({
        path: f.path,
        name: f.name,
        start: 0,
        end: f.size,
        alg: config.hashType,
        expectSize: f.size,
        stamp: f.stamp,
      });
      names.push(f.name);
      owners.push(f);
      continue;
    }
    for (let start = 0; start < f.size || (start === 0 && f.size === 0); start += config.shardSize) {
      const end = Math.min(start + config.shardSize, f.size);
      items.push({
        path: f.path,
        name: f.name,
        start,
        end,
        alg: config.hashType,
        expectSize: f.size,
        stamp: f.stamp,
      });
      names.push(`${f.name}:${start}:${end}`);
      owners.push(f);
    }
  }
  return { items, names, owners };
}

function isSorted(files: ModelFile[]): boolean {
  for (let i = 1; i < files.length; i++) if (compareUtf8(files[i - 1].name, files[i].name) > 0) return false;
  return true;
}

/**
 * Hash `tree`'s files. Resources are sorted by the UTF-8 bytes of the file name, shards of one
 * file by their numeric start offset.
 */
export async function hashFiles(tree: ModelTree, opts: HashFilesOptions): Promise<Resource[]> {
  const { config } = opts;
  assertHashingConfig(config);
  opts.signal?.throwIfAborted();
  const jobs = opts.jobs ?? defaultJobs();
  if (!Number.isSafeInteger(jobs) || jobs < 1) {
    throw new ModelsealError('USAGE', `jobs must be a positive integer, got ${String(opts.jobs)}`);
  }
  const files = tree.files.filter((f) => !opts.filter || opts.filter(f.name));
  if (!isSorted(files)) files.sort((a, b) => compareUtf8(a.name, b.name)); // walkModel already sorts
  const { items, names, owners } = planItems(files, config);
  const algorithm = resourceAlgorithm(config);
  const onHashed = opts.onHashed;

  const bytesTotal = items.reduce((s, it) => s + (it.end - it.start), 0);
  let bytesDone = 0;
  let last = 0;
  const listener = opts.onProgress;
  listener?.({ bytesDone, bytesTotal });
  const onBytes = listener
    ? (n: number, item: string) => {
        bytesDone += n;
        const now = Date.now();
        if (now - last >= PROGRESS_INTERVAL_MS) {
          last = now;
          listener({ bytesDone, bytesTotal, item });
        }
      }
    : undefined;

  const digests = await runHashItems(items, {
    jobs,
    onBytes,
    inlineMaxBytes: opts.inlineMaxBytes,
    warm: opts.warm,
    signal: opts.signal,
    ...(onHashed
      ? {
          onItem: (i: number, d: ItemDigests) =>
            onHashed({ name: names[i], algorithm, digest: d.hex(i) }, owners[i]),
        }
      : {}),
  });
  listener?.({ bytesDone: bytesTotal, bytesTotal });
  return names.map((name, i) => ({ name, algorithm, digest: digests.hex(i) }));
}
