// The `watchModel` verb: verify a deployed model's signature once, then re-check the model on
// file-system events (fs.watch, recursive where the platform supports it; debounced per path, checked
// within maxDelayMs of an event) and re-hash it all
// at an interval. Stat-only checks between full ones keep an idle watch nearly free.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import type { BundleVerifier } from '../oms/verifier.js';
import type { DriftEvent } from './drift-event.js';
import { DriftTracker, type CheckSummary } from './drift-tracker.js';
import type { Baseline } from './model-baseline.js';
import { loadBaseline } from './load-baseline.js';
import { artifactSource } from '../source/open-model-source.js';
import type { OpenTargetOptions } from '../oci/open-target.js';

/** Options of watchModel and checkModelDrift. */
export interface WatchModelOptions {
  /** how to trust the signature (key, certificate or keyless verifier) */
  verifier: BundleVerifier;
  /** default MODEL/model.sig */
  signaturePath?: string;
  /**
   * Take the signed state from this artifact's OMS signature referrer instead of a signature file
   * (a registry reference or `oci:LAYOUT[:TAG|@DIGEST]`); `signaturePath` is then not read.
   */
  reference?: string;
  /** how to reach `reference` (credentials, plain HTTP, timeouts) */
  registry?: OpenTargetOptions;
  /** full re-hash interval in ms (default 300000 = 5 min) */
  intervalMs?: number;
  /** quiet time on a path after its last file-system event before the check runs (default 200 ms) */
  debounceMs?: number;
  /** the longest an event waits for its check, however busy the directory (default 2000 ms) */
  maxDelayMs?: number;
  /** hashing threads (default 1: a sidecar should stay small) */
  jobs?: number;
  /** called for every drift event, in order */
  onDrift: (event: DriftEvent) => void;
  /** called after each check (kind: initial, event, interval) */
  onCheck?: (kind: 'initial' | 'event' | 'interval', summary: CheckSummary) => void;
  /** stops the watch; watchModel resolves when it is aborted */
  signal?: AbortSignal;
}

async function baselineFor(dir: string, opts: WatchModelOptions): Promise<Baseline> {
  const st = await stat(dir).catch((e: unknown) => {
    throw new ModelsealError('NOT_FOUND', `model directory ${dir} does not exist`, { cause: e });
  });
  if (!st.isDirectory())
    throw new ModelsealError('USAGE', `${dir} is not a directory (watch needs a model directory)`);
  if (opts.reference !== undefined)
    return loadBaseline(artifactSource(opts.reference, opts.registry), {
      verifier: opts.verifier,
      directory: dir,
    });
  return loadBaseline(dir, { verifier: opts.verifier, signaturePath: opts.signaturePath });
}

/**
 * Verify the signature, hash the whole model once and report every difference (as `onDrift` events).
 * Returns the events; none means the model is exactly what was signed. Throws what signature
 * verification throws (BAD_SIGNATURE, WRONG_KEY, MALFORMED_BUNDLE, ...), NOT_FOUND, USAGE.
 */
export async function checkModelDrift(
  dir: string,
  opts: Omit<WatchModelOptions, 'onDrift'> & { onDrift?: (e: DriftEvent) => void },
): Promise<DriftEvent[]> {
  const tracker = new DriftTracker(await baselineFor(dir, { ...opts, onDrift: () => undefined }), {
    jobs: opts.jobs,
  });
  const summary = await tracker.check(true);
  for (const e of summary.events) opts.onDrift?.(e);
  opts.onCheck?.('initial', summary);
  return summary.events;
}

/**
 * Watch `dir` until `opts.signal` aborts: an initial full check, then a stat-and-re-hash-what-changed
 * check after file-system events and a full re-hash every `intervalMs`. Checks never overlap. Rejects
 * on what signature verification throws, or when the watch cannot be set up.
 */
export async function watchModel(dir: string, opts: WatchModelOptions): Promise<void> {
  const tracker = new DriftTracker(await baselineFor(dir, opts), { jobs: opts.jobs });
  let running: Promise<void> | undefined;
  let pending: 'event' | 'interval' | undefined;
  let failure: { err: unknown } | undefined;
  const run = (kind: 'initial' | 'event' | 'interval'): void => {
    if (running) {
      if (pending !== 'interval') pending = kind === 'initial' ? 'interval' : kind;
      return;
    }
    running = (async () => {
      try {
        const summary = await tracker.check(kind !== 'event');
        for (const e of summary.events) opts.onDrift(e);
        opts.onCheck?.(kind, summary);
      } catch (e) {
        failure = { err: e };
        stop();
      } finally {
        running = undefined;
        const next = pending;
        pending = undefined;
        if (next && !opts.signal?.aborted) run(next);
      }
    })();
  };

  // Debounced per path: events on one file (a writer touching it every 100 ms) do not hold back the
  // check of another; and any event is checked within maxDelayMs of arriving, whatever follows it.
  const quiet = new Map<string, NodeJS.Timeout>();
  let deadline: NodeJS.Timeout | undefined;
  const check = (): void => {
    clearTimeout(deadline);
    deadline = undefined;
    run('event');
  };
  const onEvent = (_type?: string, filename?: string | Buffer | null): void => {
    const key = filename == null ? '' : String(filename);
    clearTimeout(quiet.get(key));
    quiet.set(
      key,
      setTimeout(() => {
        quiet.delete(key);
        check();
      }, opts.debounceMs ?? 200),
    );
    deadline ??= setTimeout(check, opts.maxDelayMs ?? 2000);
  };
  const clearTimers = (): void => {
    for (const t of quiet.values()) clearTimeout(t);
    clearTimeout(deadline);
  };
  const watchers: FSWatcher[] = [];
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    stop = () => {
      clearTimers();
      clearInterval(interval);
      for (const w of watchers) w.close();
      resolve();
    };
  });
  const interval = setInterval(() => run('interval'), opts.intervalMs ?? 300_000);
  try {
    watchers.push(watch(dir, { recursive: true, persistent: true }, onEvent));
  } catch {
    // no recursive watching here: the directory itself, and the interval for the rest
    watchers.push(watch(dir, { persistent: true }, onEvent));
  }
  for (const w of watchers) w.on('error', () => onEvent());
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', () => stop(), { once: true });
  run('initial');
  await done;
  await running;
  if (failure !== undefined) throw failure.err;
}
