// Hashing flags shared by `hash`, `sign` and `verify`, and their translation into HashModelOptions.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  ModelsealError,
  isHashAlgorithm,
  unmatchedIgnorePaths,
  type HashModelOptions,
} from '@modelseal/core/hashing';
import { collect } from './repeatable-option.js';

/** The parsed hashing flags (commander attribute names; see addHashingFlags). */
export interface HashingFlags {
  method: string;
  shardSize?: string;
  hash: string;
  jobs?: string;
  ignorePaths: string[];
  allowSymlinks: boolean;
  ignoreGitPaths: boolean;
}

/** Add --method, --shard-size, --hash, --jobs, --ignore-paths, --allow-symlinks, --no-ignore-git-paths. */
export function addHashingFlags(cmd: Command): Command {
  return cmd
    .option(
      '--method <method>',
      'serialization method: files (one digest per file) or shards (per byte range)',
      'files',
    )
    .option('--shard-size <bytes>', 'bytes per shard with --method shards (default 1000000000)')
    .option('--hash <algorithm>', 'hash algorithm: sha256, blake2b or blake3', 'sha256')
    .option('--jobs <n>', `parallel hashing threads (default: number of CPUs; at most ${maxJobs()})`)
    .option(
      '--ignore-paths <path>',
      'leave out a file or directory (relative to the current directory, or absolute); repeatable',
      collect,
      [],
    )
    .option(
      '--allow-symlinks',
      'follow symlinks to files (hashing the target content under the link name)',
      false,
    )
    .option(
      '--no-ignore-git-paths',
      'also hash .git, .gitattributes, .github and .gitignore at the top level',
    );
}

/** The most hashing threads --jobs accepts: 4 per CPU, and never more than 64. */
export function maxJobs(): number {
  return Math.min(64, 4 * availableParallelism());
}

/** --jobs N, a positive integer up to maxJobs(). */
export function jobsFrom(raw: string): number {
  const n = positiveInt('--jobs', raw);
  if (n > maxJobs())
    throw new ModelsealError(
      'USAGE',
      `--jobs must be at most ${maxJobs()} (4 per CPU, 64 at most), got ${n}`,
    );
  return n;
}

function positiveInt(flag: string, s: string): number {
  const n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ModelsealError('USAGE', `${flag} must be a positive integer, got '${s}'`);
  }
  return n;
}

/** Validate the parsed flags (any subset: verify has no --method) and build the hashing options. */
export function hashingOptionsFromFlags(opts: Partial<HashingFlags>): HashModelOptions {
  const method = opts.method ?? 'files';
  if (method !== 'files' && method !== 'shards') {
    throw new ModelsealError('USAGE', `--method must be 'files' or 'shards', got '${method}'`);
  }
  const hashType = opts.hash ?? 'sha256';
  if (!isHashAlgorithm(hashType)) {
    throw new ModelsealError('USAGE', `--hash must be sha256, blake2b or blake3, got '${hashType}'`);
  }
  const out: HashModelOptions = {
    method,
    hashType,
    ignorePaths: ignorePathsFrom(opts.ignorePaths),
    allowSymlinks: opts.allowSymlinks === true,
    ignoreGitPaths: opts.ignoreGitPaths !== false,
  };
  if (opts.shardSize !== undefined) {
    if (method !== 'shards')
      throw new ModelsealError('USAGE', '--shard-size only applies with --method shards');
    out.shardSize = positiveInt('--shard-size', opts.shardSize);
  }
  if (opts.jobs !== undefined) out.jobs = jobsFrom(opts.jobs);
  return out;
}

/**
 * --ignore-paths as a shell user means them: relative to the current directory (as the Python CLI
 * resolves them), passed on absolute; the library takes them relative to the model.
 */
function ignorePathsFrom(raw: readonly string[] | undefined): string[] {
  return (raw ?? []).map((p) => path.resolve(p));
}

/** One warning per --ignore-paths entry that matches nothing in `model`, naming it as typed. */
export function ignorePathWarnings(model: string, raw: readonly string[] | undefined): string[] {
  const typed = raw ?? [];
  const resolved = ignorePathsFrom(typed);
  return unmatchedIgnorePaths(model, resolved).map((u) => {
    const given = typed[resolved.indexOf(u.path)];
    return u.reason === 'outside-model'
      ? `--ignore-paths '${given}' matches nothing: it is outside the model ${model} (paths are relative to the current directory)`
      : `--ignore-paths '${given}' matches nothing in ${model}`;
  });
}
