import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one file fewer than the cores: one at a time on CI's 2 cores, so the suite
    // ran serially (526 s, against 450 s of summed file time) while most files wait on child
    // processes, registries and sockets. One file per core, and never fewer than 2.
    maxWorkers: Math.max(2, availableParallelism()),
    globalSetup: ['test/global-setup.ts'],
  },
});
