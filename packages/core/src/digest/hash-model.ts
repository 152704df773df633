// The `hashModel` verb: walk a model, hash it (files or shards) and compute the OMS root digest.
import { ModelsealError } from '../errors.js';
import type { HashAlgorithm, HashingConfig, ModelManifest, ProgressListener } from '../types.js';
import { walkModel, type WalkOptions } from '../model/walk-model.js';
import { assertHashingConfig, hashFiles } from './hash-files.js';
import { rootDigest } from './root-digest.js';

/** Python's default shard size: 1 GB (decimal). */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

export interface HashModelOptions extends WalkOptions {
  method?: 'files' | 'shards';
  hashType?: HashAlgorithm;
  /** default 1_000_000_000 */
  shardSize?: number;
  jobs?: number;
  onProgress?: ProgressListener;
}

/** Build a hashing config from options, with the OMS defaults (files, sha256, 1 GB shards). */
export function hashingConfigFrom(opts: Pick<HashModelOptions, 'method' | 'hashType' | 'shardSize'>): HashingConfig {
  const config: HashingConfig = {
    method: opts.method ?? 'files',
    hashType: opts.hashType ?? 'sha256',
    shardSize: opts.shardSize ?? DEFAULT_SHARD_SIZE,
  };
  assertHashingConfig(config);
  return config;
}

/** Hash a model directory or file into the manifest that gets signed or verified. */
export async function hashModel(modelPath: string, opts: HashModelOptions = {}): Promise<ModelManifest> {
  const config = hashingConfigFrom(opts);
  const tree = await walkModel(modelPath, opts);
  const resources = await hashFiles(tree, { config, jobs: opts.jobs, onProgress: opts.onProgress });
  if (resources.length === 0) {
    // Only possible in shards mode, where empty files produce no shard (as in Python).
    throw new ModelsealError('EMPTY_MODEL', `model '${modelPath}' has only empty files: shards mode has nothing to sign (use --method files)`);
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
