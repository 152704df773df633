// Runs the built CLI's program (packages/cli/dist/program.js, the module bin.js runs) inside the test's
// own process: the same argument parsing, output and exit-code mapping as `runCli`, without a Node
// start (~0.2 s CPU) per call. For tests about what a command does, not about the process (signals,
// closed pipes, stdin, start-up): those keep `runCli` from ./cli-process.ts.
// While a call runs it owns the process's stdout/stderr writes, environment, working directory and
// exitCode (restored afterwards); calls are queued, one at a time. Needs vitest's forks pool (chdir).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, type CliResult } from './cli-process.js';

type Program = { run(argv: string[]): Promise<number> };

let program: Promise<Program> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Captures everything written to `stream` until the returned function is called (which restores it). */
function capture(stream: NodeJS.WriteStream, into: Buffer[]): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'write');
  const tty = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
    into.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return true;
  };
  // As under spawnSync's pipes: no terminal, so no progress bar or prompt.
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(stream, 'write', own);
    else delete (stream as { write?: unknown }).write;
    if (tty) Object.defineProperty(stream, 'isTTY', tty);
    else delete (stream as { isTTY?: unknown }).isTTY;
  };
}

/** Replaces process.env's entries with `env`'s; returns the function that puts the old ones back. */
function swapEnv(env: Record<string, string>): () => void {
  const saved = { ...process.env };
  const set = (from: Record<string, string | undefined>): void => {
    for (const k of Object.keys(process.env)) if (!(k in from)) delete process.env[k];
    for (const [k, v] of Object.entries(from)) if (v !== undefined) process.env[k] = v;
  };
  set(env);
  return () => set(saved);
}

/** Where a call runs: `cwd` (default: the repository) and `env` applied over `baseEnv` (default: process.env). */
interface InProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  baseEnv?: Record<string, string | undefined>;
}

async function runOnce(args: string[], opts: InProcessOptions): Promise<CliResult> {
  program ??= import(pathToFileURL(path.join(REPO, 'packages/cli/dist/program.js')).href) as Promise<Program>;
  const { run } = await program;
  // The environment runCli gives its child: this one's, with `env` applied, no MODELSEAL_DEBUG, and
  // no COSIGN_PASSWORD unless given.
  const given = opts.env ?? {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...(opts.baseEnv ?? process.env), ...given }))
    if (v !== undefined && k !== 'MODELSEAL_DEBUG') env[k] = v;
  if (!('COSIGN_PASSWORD' in given)) delete env.COSIGN_PASSWORD;

  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const cwd = process.cwd();
  const exitCode = process.exitCode;
  const restoreEnv = swapEnv(env);
  const restoreStdout = capture(process.stdout, stdout);
  const restoreStderr = capture(process.stderr, stderr);
  const stdinTty = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
  Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true, writable: true });
  try {
    process.chdir(opts.cwd ?? REPO);
    process.exitCode = undefined;
    const code = await run([process.execPath, 'modelseal', ...args]);
    return {
      code,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
    };
  } finally {
    process.exitCode = exitCode;
    process.chdir(cwd);
    if (stdinTty) Object.defineProperty(process.stdin, 'isTTY', stdinTty);
    else delete (process.stdin as { isTTY?: unknown }).isTTY;
    restoreStderr();
    restoreStdout();
    restoreEnv();
  }
}

/**
 * `modelseal ...args` run in this process, in `cwd` (default: the repository), with `env` applied
 * over `baseEnv` (default: this process's environment; undefined removes an entry); resolves to its
 * exit code and output, as `runCli` returns them. Calls run one at a time, in order.
 */
export function runCliInProcess(args: string[], opts: InProcessOptions = {}): Promise<CliResult> {
  const next = queue.then(() => runOnce(args, opts));
  queue = next.catch(() => undefined);
  return next;
}
