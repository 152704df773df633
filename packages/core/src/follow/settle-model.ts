// Settle a model directory into the manifest to sign: walk it, wait while a process still writes
// one of its files, hash only the files whose digest is not known for their current stamp, and
// start over when a file changes under the hash. The digests come from a KnownDigests cache that
// the model writer or the directory follower filled while the files were written.
import { lstat } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import { stampChange, stampOf } from '../digest/file-stamp.js';
import { hashFiles } from '../digest/hash-files.js';
import { rootDigest } from '../digest/root-digest.js';
import { walkModel, type WalkOptions } from '../model/walk-model.js';
import { splitShardName } from '../oms/shard-layout.js';
import type { ModelFile, ModelManifest, ModelTree, Resource } from '../types.js';
import type { KnownDigests } from './known-digests.js';

/** Options of settleModel(): how to walk, how many hashing threads, writers to wait for, abort. */
export interface SettleModelOptions {
  /** walk options; `signaturePath` should be the absolute signature path (left out of the model) */
  walk: WalkOptions;
  /** hashing threads for files not hashed yet (default: CPU count) */
  jobs?: number;
  /**
   * Resolves once no process writes any of `files` any more: true when it had to wait (the walk is
   * then done again), false when nothing was writing. Default: nothing waits.
   */
  waitForWriters?: (files: ModelFile[]) => Promise<boolean>;
  /** told about each file hashed here (not the ones already known) */
  onHashed?: (file: ModelFile, resources: Resource[]) => void;
  signal?: AbortSignal;
}

/** A settled model: the walk it came from, its manifest, and the files that had to be hashed. */
export interface SettledModel {
  tree: ModelTree;
  manifest: ModelManifest;
  /** names hashed by this call because no digest was known for their current stamp */
  hashed: string[];
}

/** How often a model may change under the hash before settleModel gives up with BUSY. */
const MAX_ROUNDS = 20;

/** The resources of `resources` (one hashFiles result) grouped by file name, in order. */
export function resourcesByFile(resources: Resource[], method: 'files' | 'shards'): Map<string, Resource[]> {
  const out = new Map<string, Resource[]>();
  for (const r of resources) {
    const name = method === 'shards' ? splitShardName(r.name).path : r.name;
    const list = out.get(name);
    if (list) list.push(r);
    else out.set(name, [r]);
  }
  return out;
}

/** True when some file of `files` no longer has the stamp it was listed with (or is gone). */
export async function anyChanged(files: readonly ModelFile[]): Promise<boolean> {
  for (const f of files) {
    const now = await lstat(f.path).catch(() => undefined);
    if (!now || !f.stamp || stampChange(f.stamp, stampOf(now))) return true;
  }
  return false;
}

/**
 * Hash `files` of `tree` into `known`; returns false (nothing stored for the failing batch) when
 * one of them changed while it was hashed, so that the caller walks again. Other failures throw.
 */
export async function hashInto(
  known: KnownDigests,
  tree: ModelTree,
  files: ModelFile[],
  opts: Pick<SettleModelOptions, 'jobs' | 'signal' | 'onHashed'>,
): Promise<boolean> {
  if (files.length === 0) return true;
  let resources: Resource[];
  try {
    resources = await hashFiles(
      { ...tree, files },
      { config: known.config, ...(opts.jobs ? { jobs: opts.jobs } : {}), signal: opts.signal },
    );
  } catch (e) {
    opts.signal?.throwIfAborted();
    if (e instanceof ModelsealError && (await anyChanged(files))) return false;
    throw e;
  }
  const byFile = resourcesByFile(resources, known.config.method);
  for (const f of files) {
    const res = byFile.get(f.name);
    if (!res || !f.stamp) continue;
    known.set(f.name, f.stamp, res);
    opts.onHashed?.(f, res);
  }
  return true;
}

/**
 * Walk `dir` and return its manifest, hashing only what `known` lacks. Waits for writers through
 * `opts.waitForWriters`; starts over when a file changed while it was hashed. Throws what walking
 * and hashing throw (NOT_FOUND, SYMLINK, UNREADABLE, EMPTY_MODEL...), BUSY when the model kept
 * changing for 20 rounds, or the signal's reason.
 */
export async function settleModel(
  dir: string,
  known: KnownDigests,
  opts: SettleModelOptions,
): Promise<SettledModel> {
  const hashed = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    opts.signal?.throwIfAborted();
    const tree = await walkModel(dir, opts.walk);
    if (tree.files.length === 0) {
      throw new ModelsealError('EMPTY_MODEL', `model '${dir}' has no files to sign`);
    }
    if (opts.waitForWriters && (await opts.waitForWriters(tree.files))) continue;
    const unknown = tree.files.filter((f) => !known.get(f.name, f.stamp));
    if (!(await hashInto(known, tree, unknown, opts))) continue;
    for (const f of unknown) hashed.add(f.name);
    const resources: Resource[] = [];
    let complete = true;
    for (const f of tree.files) {
      const res = known.get(f.name, f.stamp);
      if (!res) complete = false;
      else resources.push(...res);
    }
    if (!complete) continue;
    const manifest: ModelManifest = {
      root: rootDigest(resources),
      subjectName: tree.name,
      config: known.config,
      allowSymlinks: tree.allowSymlinks,
      ignorePaths: tree.ignorePaths,
      resources,
    };
    return { tree, manifest, hashed: [...hashed] };
  }
  throw new ModelsealError(
    'BUSY',
    `model '${dir}' kept changing while it was hashed (${MAX_ROUNDS} rounds); sign it once nothing writes to it`,
  );
}
