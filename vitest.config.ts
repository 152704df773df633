import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/** Unit tests that read process-wide counters (ArrayBuffers, GC events, /proc/self/io, open fds). */
const PROCESS_COUNTERS = [
  'packages/core/src/oci/scavenge-pacer.test.ts',
  'packages/core/src/oci/coalescing-write-stream.test.ts',
  'packages/core/src/scan/scan-file.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one file fewer than the cores: one at a time on CI's 2 cores, so the suite
    // ran serially (526 s, against 450 s of summed file time) while most files wait on child
    // processes, registries, sockets and timers. One file per core left the 2 cores idle 10 % of
    // the time (vmstat during the suite) and took 366 s; one file more than the cores, 348 s.
    maxWorkers: availableParallelism() + 1,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        // The unit tests beside the code share their worker processes: a fresh process per file
        // (Vitest's isolation) cost each file ~0.5 s of start-up and module transform (the 86 files:
        // 89 against 46 CPU-seconds). They keep no process-wide state between files: the spies,
        // environment variables and working directory a test changes, it restores.
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...PROCESS_COUNTERS],
          isolate: false,
        },
      },
      {
        // A process per file: the end-to-end tests (registries, servers, CLI processes, the working
        // directory and environment that test/cli-in-process.ts takes over) and the unit tests whose
        // counters another file's leftovers (a worker thread still reading, a socket) would move.
        extends: true,
        test: { name: 'isolated', include: ['test/**/*.test.ts', ...PROCESS_COUNTERS] },
      },
    ],
  },
});
