// Follow a model directory while another process (a training job) writes it: look at it every
// poll interval, hash each file as soon as it stopped changing and no process holds it open for
// writing (from the page cache, just after its last write), hash it again when it changes, and
// return once a completion condition holds (a marker file, the writer's exit, or a quiet period).
// Node's fs.watch gives no close_write event, so "closed" is read from /proc, not from inotify.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelsealError } from '../errors.js';
import { stampChange } from '../digest/file-stamp.js';
import type { FileStamp } from '../types.js';
import { hashingConfigFrom } from '../model/hash-model.js';
import { walkModel, type WalkOptions } from '../model/walk-model.js';
import type { HashAlgorithm, ModelFile, Resource, SerializationMethod } from '../types.js';
import { KnownDigests } from './known-digests.js';
import { hashInto } from './settle-model.js';
import { openForWriting, realPathMapper, writerGate } from './writer-gate.js';

/** Default time between two looks at the directory (ms). */
export const DEFAULT_POLL_INTERVAL_MS = 100;
/** Default quiet period when neither a marker file nor a writer pid is given (ms). */
export const DEFAULT_QUIET_PERIOD_MS = 30_000;
/** Without /proc, a file must keep its stamp this long (at most) before it is hashed (ms). */
const FALLBACK_SETTLE_MS = 2_000;

/**
 * Options of followModel(): the OMS hashing config (default files + sha256), the walk, the
 * completion conditions (any one ends the follow), the poll interval, and listeners.
 */
export interface FollowModelOptions extends Omit<WalkOptions, 'onFile' | 'only'> {
  method?: SerializationMethod;
  hashType?: HashAlgorithm;
  shardSize?: number;
  jobs?: number;
  /** complete when this file exists (relative to the model directory, or absolute) */
  untilFile?: string;
  /** complete when this process has exited */
  untilPid?: number;
  /**
   * complete when no file changed for this long (ms), once the model has a file. Default 30 s when
   * neither `untilFile` nor `untilPid` is given, else not a condition.
   */
  quietPeriodMs?: number;
  /** default 100 ms */
  pollIntervalMs?: number;
  /** told once the directory has been looked at for the first time */
  onStart?: () => void;
  /** told about each file hashed while following (again after each change) */
  onHashed?: (file: ModelFile, resources: Resource[]) => void;
  signal?: AbortSignal;
}

/** Why a follow ended. */
export type FollowCompletion = 'until-file' | 'until-pid' | 'quiet-period';

/** A followed model: the digests known so far, why it completed, and the writer gate for signing. */
export interface FollowedModel {
  known: KnownDigests;
  completion: FollowCompletion;
  /** resolves once no process writes the given files (true when it waited); see writerGate */
  waitForWriters: (files: ModelFile[]) => Promise<boolean>;
}

/** True while process `pid` runs: a zombie (exited, not yet reaped by its parent) has exited. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(0) is all we know
  }
}

/**
 * Walk a directory being written: undefined while it is empty, or when the walk caught a file
 * between its listing and its lstat (renamed away); the next look tries again.
 */
async function walkWhileWritten(dir: string, walk: WalkOptions) {
  try {
    return await walkModel(dir, walk);
  } catch (e) {
    if (e instanceof ModelsealError && e.code === 'EMPTY_MODEL') return undefined;
    if (e instanceof ModelsealError && e.code === 'NOT_FOUND' && existsSync(dir)) return undefined;
    throw e;
  }
}

/**
 * Follow `dir` until a completion condition holds, hashing files as they are closed. Throws USAGE
 * for bad options, NOT_FOUND when `dir` does not exist, what the walk throws for a file it must
 * refuse (SYMLINK, a FIFO...), or the signal's reason. Sign with sealModel(dir, result.known, ...).
 */
export async function followModel(dir: string, opts: FollowModelOptions = {}): Promise<FollowedModel> {
  const known = new KnownDigests(hashingConfigFrom(opts));
  const poll = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!(poll > 0)) throw new ModelsealError('USAGE', `pollIntervalMs must be positive, got ${poll}`);
  if (opts.untilPid !== undefined && !(Number.isSafeInteger(opts.untilPid) && opts.untilPid > 0))
    throw new ModelsealError('USAGE', `untilPid must be a process id, got ${String(opts.untilPid)}`);
  const quiet =
    opts.quietPeriodMs ??
    (opts.untilFile === undefined && opts.untilPid === undefined ? DEFAULT_QUIET_PERIOD_MS : undefined);
  if (quiet !== undefined && !(quiet >= 0))
    throw new ModelsealError('USAGE', `quietPeriodMs must be 0 or more, got ${quiet}`);
  const marker = opts.untilFile === undefined ? undefined : path.resolve(dir, opts.untilFile);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new ModelsealError('NOT_FOUND', `model directory '${dir}' does not exist or is not a directory`);
  const {
    method: _m,
    hashType: _h,
    shardSize: _s,
    jobs,
    untilFile: _u,
    untilPid,
    onHashed,
    onStart,
    signal,
    ...walk
  } = opts;
  const real = realPathMapper(dir);
  const settleMs = Math.min(quiet ?? FALLBACK_SETTLE_MS, FALLBACK_SETTLE_MS);

  let previous = new Map<string, FileStamp>();
  const since = new Map<string, number>(); // when each file's current stamp was first seen
  let lastChange = Date.now();
  let started = false;
  for (;;) {
    signal?.throwIfAborted();
    const now = Date.now();
    const tree = await walkWhileWritten(dir, walk);
    if (tree) {
      const current = new Map(tree.files.map((f) => [f.name, f.stamp as FileStamp]));
      let changed = current.size !== previous.size;
      for (const f of tree.files) {
        const before = previous.get(f.name);
        if (!before || stampChange(before, f.stamp as FileStamp)) {
          changed = true;
          since.set(f.name, now);
        }
      }
      if (changed) lastChange = now;
      // Still-changing files are being written: only ask /proc about the ones that stopped.
      const still = tree.files.filter((f) => !known.get(f.name, f.stamp) && since.get(f.name) !== now);
      if (still.length > 0) {
        const open = openForWriting(still, real);
        const ready = open
          ? still.filter((f) => !open.includes(f))
          : still.filter((f) => now - (since.get(f.name) ?? now) >= settleMs);
        await hashInto(known, tree, ready, { jobs, signal, onHashed });
      }
      previous = current;
    }
    if (!started) {
      started = true;
      onStart?.();
    }
    // An empty directory completes too (by marker or pid): signing it then fails with EMPTY_MODEL.
    const completion: FollowCompletion | undefined =
      marker !== undefined && existsSync(marker)
        ? 'until-file'
        : untilPid !== undefined && !alive(untilPid)
          ? 'until-pid'
          : quiet !== undefined && tree !== undefined && Date.now() - lastChange >= quiet
            ? 'quiet-period'
            : undefined;
    if (completion) {
      return {
        known,
        completion,
        waitForWriters: writerGate(dir, { pollIntervalMs: poll, quietMs: settleMs, signal }),
      };
    }
    await sleep(poll, undefined, { signal });
  }
}
