// The `hashModel` verb: walk a model, hash it (files or shards) and compute the OMS root digest.
import type {
  HashAlgorithm,
  HashingConfig,
  ModelFile,
  ModelManifest,
  ModelTree,
  ProgressListener,
  Resource,
} from '../types.js';
import { walkModel, type WalkOptions } from './walk-model.js';
import { assertHashingConfig, defaultJobs, hashFiles } from '../digest/hash-files.js';
import { WarmWorkers } from '../digest/warm-workers.js';
import { INLINE_MAX_BYTES, INLINE_MAX_ITEMS } from '../digest/worker-pool.js';
import { rootDigest } from '../digest/root-digest.js';

/** Python's default shard size: 1 GB (decimal). */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

/**
 * Options of hashModel(): serialization method (default files), hash algorithm (default sha256),
 * shard size (default 1 GB), parallel jobs (default: CPU count), ignore rules and progress.
 */
export interface HashModelOptions extends WalkOptions {
  method?: 'files' | 'shards';
  hashType?: HashAlgorithm;
  /** default 1_000_000_000 */
  shardSize?: number;
  jobs?: number;
  onProgress?: ProgressListener;
  /**
   * Aborts the hash: checked before the walk and after it, and while hashing (the calling thread
   * stops after its current read, hashing workers are terminated, progress stops). The promise then
   * rejects with `signal.reason` (a DOMException named AbortError unless the caller gave a reason).
   */
  signal?: AbortSignal;
}

/** Build a hashing config from options, with the OMS defaults (files, sha256, 1 GB shards). */
export function hashingConfigFrom(
  opts: Pick<HashModelOptions, 'method' | 'hashType' | 'shardSize'>,
): HashingConfig {
  const config: HashingConfig = {
    method: opts.method ?? 'files',
    hashType: opts.hashType ?? 'sha256',
    shardSize: opts.shardSize ?? DEFAULT_SHARD_SIZE,
  };
  assertHashingConfig(config);
  return config;
}

/**
 * Hash a model directory or file into the manifest that gets signed or verified. Throws USAGE (bad
 * hashing options), NOT_FOUND, UNREADABLE, SYMLINK, EMPTY_MODEL, or `opts.signal`'s reason.
 */
export async function hashModel(modelPath: string, opts: HashModelOptions = {}): Promise<ModelManifest> {
  const config = hashingConfigFrom(opts);
  opts.signal?.throwIfAborted();
  // As soon as the walk shows the model is too big to hash inline, the workers start booting on
  // the other cores while the walk goes on.
  const warm = new WarmWorkers((opts.jobs ?? defaultJobs()) - 1); // the calling thread is one of the jobs
  let files = 0;
  let bytes = 0;
  const onFile = (f: ModelFile) => {
    opts.onFile?.(f);
    if (++files > INLINE_MAX_ITEMS || (bytes += f.size) > INLINE_MAX_BYTES) warm.start();
  };
  let resources: Resource[];
  let tree: ModelTree;
  try {
    tree = await walkModel(modelPath, { ...opts, onFile });
    resources = await hashFiles(tree, {
      config,
      jobs: opts.jobs,
      onProgress: opts.onProgress,
      warm,
      signal: opts.signal,
    });
  } finally {
    await warm.dispose();
  }
  return {
    root: rootDigest(resources),
    subjectName: tree.name,
    config,
    allowSymlinks: tree.allowSymlinks,
    ignorePaths: tree.ignorePaths,
    resources,
  };
}
