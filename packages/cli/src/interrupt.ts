// Ctrl-C (SIGINT) and SIGTERM during a long command: the first one aborts the work through an
// AbortSignal (core removes what it staged), the command fails with `Interrupted`, and the process
// exits 128 + the signal number (130, 143). A second signal kills the process the default way, and
// if the work has not ended BACKSTOP_MS after the first (something blocked that an abort cannot
// reach), the process exits with that code anyway: the first signal always ends it.

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
type Caught = keyof typeof SIGNALS;

/** How long the aborted work may take to clean up before the process exits regardless. */
const BACKSTOP_MS = 3000;

/** The exit codes of an interrupted command: 130 (SIGINT) and 143 (SIGTERM). */
export const INTERRUPTED_EXIT_CODES: readonly number[] = Object.values(SIGNALS).map((n) => 128 + n);

/** The command stopped because of a signal; `exitCode` is 128 + its number. */
export class Interrupted extends Error {
  readonly exitCode: number;
  constructor(
    readonly signalName: Caught,
    what: string,
  ) {
    super(`interrupted by ${signalName}: ${what}`);
    this.name = 'Interrupted';
    this.exitCode = 128 + SIGNALS[signalName];
  }
}

/**
 * Run `work` with a signal that SIGINT/SIGTERM abort. When a signal caused the failure, throw
 * `Interrupted` with `what` (e.g. "pull stopped; staging removed, DEST left as it was").
 */
export async function interruptible<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let caught: Caught | undefined;
  const handlers = Object.keys(SIGNALS).map((name) => {
    const handler = (): void => {
      caught ??= name as Caught;
      remove();
      controller.abort();
      const code = 128 + SIGNALS[caught];
      setTimeout(() => {
        process.stderr.write(
          `modelseal: interrupted by ${caught}: still blocked after ${BACKSTOP_MS} ms, exiting\n`,
        );
        process.exit(code);
      }, BACKSTOP_MS).unref();
    };
    process.once(name as Caught, handler);
    return [name as Caught, handler] as const;
  });
  const remove = (): void => {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  };
  try {
    return await work(controller.signal);
  } catch (e) {
    if (caught) throw new Interrupted(caught, what);
    throw e;
  } finally {
    remove();
  }
}
