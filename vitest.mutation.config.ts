// Vitest settings for `pnpm test:mutation` (Stryker): only tests that run the TypeScript sources
// in-process (CLI process tests run dist/, which Stryker does not instrument), no registry.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/core/src/verify/**/*.test.ts',
      'packages/core/src/oms/**/*.test.ts',
      'packages/core/src/oci/**/*.test.ts',
      'packages/core/src/sign/**/*.test.ts',
      'test/oms-roundtrip.test.ts',
      'test/oms-python-vectors.test.ts',
      'test/oms-interop.test.ts',
      'test/keyless-library.test.ts',
      'test/keyless-token-sources.test.ts',
      'test/oci-layout.test.ts',
      'test/oci-hostile.test.ts',
      'test/oci-formats.test.ts',
      'test/registry-client.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
