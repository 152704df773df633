// Hashing worker threads started ahead of need: while the walk is still listing a big model, the
// threads boot on the other cores, and the worker pool adopts them when hashing starts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * How to start a worker: the compiled `hash-worker.js` next to this file (dist), or, when running
 * from sources (vitest, tsx), `hash-worker.ts` and its imports bundled once per process with
 * esbuild (a dev dependency) into a `data:` module. Registering tsx in every worker instead cost
 * ~0.4 s of CPU per thread (each started its own transformer); the bundle costs that once.
 * The single executable's build replaces this function by one returning its `hash-worker.cjs` asset
 * as source to evaluate (scripts/bundle/build.mjs): keep the `{ spec, eval }` shape.
 */
function workerEntry(): { spec: URL | string; eval: boolean } {
  const js = new URL('./hash-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { spec: js, eval: false };
  const ts = new URL('./hash-worker.ts', import.meta.url);
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [fileURLToPath(ts)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // lazyModule resolves native and optional packages from the sources' own location
    define: { 'import.meta.url': JSON.stringify(ts.href) },
  });
  const data = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].contents).toString('base64')}`;
  return { spec: new URL(data), eval: false };
}

let entry: { spec: URL | string; eval: boolean } | undefined;
let live = 0;

/** Start one hashing worker thread. */
export function startHashWorker(): Worker {
  entry ??= workerEntry();
  const w = new Worker(entry.spec, { eval: entry.eval });
  live++;
  w.once('exit', () => live--);
  return w;
}

/** Hashing threads started and not yet exited: 0 whenever no hash is running (tests check it). */
export function liveHashWorkers(): number {
  return live;
}

/** Up to `count` workers booting before the work is known; `take` hands them out, `dispose` ends the rest. */
export class WarmWorkers {
  private readonly idle: Worker[] = [];
  private readonly gone = new WeakSet<Worker>();
  private started = false;

  /** `startWorker` starts one thread (default: a hashing worker; tests pass threads that crash). */
  constructor(
    private readonly count: number,
    private readonly startWorker: () => Worker = startHashWorker,
  ) {}

  /** Start the threads (only the first call does anything). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (let k = 0; k < this.count; k++) {
      const w = this.startWorker();
      // Until adopted nobody else listens: a boot failure must not crash the process, and a
      // thread that already ended is never handed out.
      w.on('error', () => this.gone.add(w));
      w.once('exit', () => this.gone.add(w));
      this.idle.push(w);
    }
  }

  /** A started, still running worker, or undefined. */
  take(): Worker | undefined {
    let w: Worker | undefined;
    while ((w = this.idle.shift())) if (!this.gone.has(w)) return w;
    return undefined;
  }

  /** Terminate the workers nobody took. */
  async dispose(): Promise<void> {
    const rest = this.idle.splice(0);
    await Promise.all(rest.map((w) => w.terminate().catch(() => 0)));
  }
}
