// The "nobody writes these files" gate used before hashing a followed file and before signing:
// /proc says which files a process holds open for writing; where /proc cannot tell (no /proc, or
// processes of another user we may not inspect), the files must keep the same stamps through a
// quiet period instead.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelFile } from '../types.js';
import { anyChanged } from './settle-model.js';
import { filesOpenForWriting } from './open-writers.js';

/** How the gate polls, how long files must stay still without /proc, and the abort signal. */
export interface WriterGateOptions {
  /** between two looks at /proc while a file is open for writing (ms) */
  pollIntervalMs: number;
  /** without /proc: how long the files must keep their stamps (ms) */
  quietMs: number;
  signal?: AbortSignal;
}

/**
 * Maps walked file paths (under `dir` as given) to the real paths /proc reports, so that a model
 * reached through a symlinked directory is still recognised.
 */
export function realPathMapper(dir: string): (f: ModelFile) => string {
  const given = path.resolve(dir);
  let real = given;
  try {
    real = realpathSync(given);
  } catch {
    // keep the given spelling: the walk will report the missing directory
  }
  return (f) => (f.path.startsWith(given + path.sep) ? real + f.path.slice(given.length) : f.path);
}

/**
 * Which of `files` a process holds open for writing, or undefined when /proc cannot tell all of it
 * (no /proc, or a process we may not inspect): then only a quiet period can say.
 */
export function openForWriting(
  files: readonly ModelFile[],
  real: (f: ModelFile) => string,
): ModelFile[] | undefined {
  const byPath = new Map(files.map((f) => [real(f), f]));
  const seen = filesOpenForWriting(new Set(byPath.keys()));
  if (!seen) return undefined;
  const open = [...seen.open].map((p) => byPath.get(p) as ModelFile);
  // A file we see open is open; when nothing visible holds them, an unseen process still might.
  return open.length > 0 || seen.complete ? open : undefined;
}

/**
 * A `waitForWriters` for settleModel/sealModel: resolves once no process holds any of the files
 * open for writing (true when it had to wait). Without /proc it waits `quietMs` and answers true
 * when a file changed meanwhile. Rejects with the signal's reason.
 */
export function writerGate(dir: string, opts: WriterGateOptions): (files: ModelFile[]) => Promise<boolean> {
  const real = realPathMapper(dir);
  return async (files) => {
    let waited = false;
    for (;;) {
      opts.signal?.throwIfAborted();
      const open = openForWriting(files, real);
      if (open === undefined) {
        await sleep(opts.quietMs, undefined, { signal: opts.signal });
        return (await anyChanged(files)) || waited;
      }
      if (open.length === 0) return waited;
      waited = true;
      await sleep(opts.pollIntervalMs, undefined, { signal: opts.signal });
    }
  };
}
