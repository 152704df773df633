#!/usr/bin/env node
// Entry point of the `modelseal` command.
import module from 'node:module';

// Node >= 22.1 can keep compiled code between runs; a cache that cannot be written (read-only
// file system) just stays off. Enabled before the program's modules load.
try {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  /* no cache */
}

const { run } = await import('./program.js');
process.exitCode = await run(process.argv);
