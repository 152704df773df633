// Printing for the CLI: one-line errors, JSON results, and a progress bar on stderr when it is a TTY.
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { isModelsealError, typedFileSystemError, type Progress } from '@modelseal/core/hashing';
import { messageWithHint } from './error-hint.js';

type CliProgress = typeof import('cli-progress');
/** Loaded only when a bar is shown (a TTY): most runs, and every scripted one, never need it. */
const loadCliProgress = (): CliProgress => createRequire(import.meta.url)('cli-progress') as CliProgress;

/**
 * C0 and C1 control characters, DEL, the Unicode line and paragraph separators and the bidi
 * controls: anything that could move the cursor, rewrite the terminal or reorder what it shows.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `s` with every control character shown visibly (`\n`, `\r`, `\t`, `\x1b`, `\u202e`), so text
 * taken from a model, a registry or a signature (file names, references, annotations) can neither
 * drive the terminal nor split a one-line message. Human output only: --json keeps exact text.
 */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const cp = c.codePointAt(0) ?? 0;
    return NAMED[c] ?? (cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16)}`);
  });
}

/** One line of human output: `s` with control characters escaped, then a newline. */
export function humanLine(s: string): string {
  return `${escapeControl(s)}\n`;
}

/**
 * `e`, or the typed error a raw file-system error stands for (ENOTDIR, EACCES, ENAMETOOLONG... with
 * the path named), so that INTERNAL is left for real bugs.
 */
export function asTypedError(e: unknown): unknown {
  return isModelsealError(e) ? e : (typedFileSystemError(e) ?? e);
}

/** An error as the `error` member of a `--json` result: its code and message (INTERNAL when untyped). */
export function jsonError(raw: unknown): { code: string; message: string } {
  const e = asTypedError(raw);
  if (isModelsealError(e)) return { code: e.code, message: messageWithHint(e) };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** Print an error as one clear line: `modelseal: error[CODE]: message`. Never a stack trace. */
export function printError(raw: unknown): void {
  const e = asTypedError(raw);
  if (isModelsealError(e)) {
    const hint = e.code === 'TIMEOUT' ? ' (--timeout SECONDS or MODELSEAL_TIMEOUT)' : '';
    process.stderr.write(humanLine(`modelseal: error[${e.code}]: ${messageWithHint(e)}${hint}`));
    if (process.env.MODELSEAL_DEBUG && e.cause)
      process.stderr.write(humanLine(`  cause: ${inspect(e.cause)}`));
    return;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(humanLine(`modelseal: error[INTERNAL]: ${msg}`));
  if (process.env.MODELSEAL_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Print `{...head, [key]: list}` exactly as `printJson` would, writing the list a slice at a time:
 * a model of 100,000 files never becomes one 20 MB string (or a second copy of its resources).
 */
export function printJsonWithList<T>(
  head: Record<string, unknown>,
  key: string,
  list: readonly T[],
  toJson: (item: T) => unknown,
): void {
  const whole = JSON.stringify({ ...head, [key]: [] }, null, 2);
  if (list.length === 0) return void process.stdout.write(`${whole}\n`);
  const open = whole.slice(0, whole.length - '[]\n}'.length);
  process.stdout.write(`${open}[\n`);
  const SLICE = 1000;
  for (let i = 0; i < list.length; i += SLICE) {
    const part = list
      .slice(i, i + SLICE)
      .map((item) => JSON.stringify(toJson(item), null, 2).replace(/^/gm, '    '));
    process.stdout.write(`${part.join(',\n')}${i + SLICE < list.length ? ',' : ''}\n`);
  }
  process.stdout.write('  ]\n}\n');
}

/** `reference` pinned to `digest` (any digest it already carries replaced). */
export function pinnedReference(reference: string, digest: string): string {
  return `${reference.replace(/@sha256:[a-f0-9]{64}$/, '')}@${digest}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1073741824) return `${(n / 1048576).toFixed(1)} MiB`;
  return `${(n / 1073741824).toFixed(2)} GiB`;
}

/** A byte progress bar on stderr; a no-op when stderr is not a TTY. */
export function progressBar(label: string): { update: (p: Progress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {done}/{totalMiB} MiB | {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const mib = (n: number) => (n / 1048576).toFixed(1);
      if (!started) {
        bar.start(p.bytesTotal, 0, { done: mib(0), totalMiB: mib(p.bytesTotal) });
        started = true;
      }
      bar.setTotal(p.bytesTotal);
      bar.update(p.bytesDone, { done: mib(p.bytesDone), totalMiB: mib(p.bytesTotal) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
