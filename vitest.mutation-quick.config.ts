// Vitest settings for `pnpm test:mutation:quick`: the in-process tests of the verification core only.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/core/src/verify/**/*.test.ts',
      'packages/core/src/oms/**/*.test.ts',
      'packages/core/src/oci/verifying-stream.test.ts',
      'test/oms-roundtrip.test.ts',
      'test/oms-python-vectors.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
