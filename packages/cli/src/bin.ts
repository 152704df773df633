#!/usr/bin/env node
// Entry point of the `modelseal` command (no top-level await: the single executable runs it as
// CommonJS).
import module from 'node:module';
import { isSea } from 'node:sea';

// Node >= 22.1 can keep compiled code between runs; a cache that cannot be written (read-only
// file system) just stays off. Enabled before the program's modules load. The single executable
// carries its code cache inside (and would leave a cache directory in $TMPDIR): not there.
try {
  if (!isSea()) (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  /* no cache */
}

// A reader that went away (`modelseal hash --help | head -1`) ends the process quietly, as SIGPIPE
// ends cat: exit 141 (128 + SIGPIPE), never 0, since the output it was writing is lost. Any other
// write error is still thrown.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
}

async function main(): Promise<void> {
  const [{ run }, { INTERRUPTED_EXIT_CODES }] = await Promise.all([
    import('./program.js'),
    import('./interrupt.js'),
  ]);
  const code = await run(process.argv);
  process.exitCode = code;
  // After Ctrl-C or SIGTERM nothing may keep the process alive (a keyless sign-in still waiting on a
  // browser or the network, whose late answer is dropped): leave now.
  if (INTERRUPTED_EXIT_CODES.includes(code)) process.exit(code);
}

void main();
