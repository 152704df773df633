// Where the third-party interoperability vectors live: $MODELSEAL_VECTORS, else `../shared/vectors`
// beside the project root, else /work/shared/vectors. Missing vectors fail loudly, never skip.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function locate(): string {
  const candidates = [
    process.env.MODELSEAL_VECTORS,
    path.resolve(repoRoot, '../shared/vectors'),
    '/work/shared/vectors',
  ];
  for (const c of candidates) if (c && existsSync(path.join(c, 'oms-python'))) return c;
  throw new Error(
    `interoperability vectors not found (tried ${candidates.filter(Boolean).join(', ')}); set MODELSEAL_VECTORS`,
  );
}

/** Absolute path of the shared vectors folder (contains oms-python/, oms-spec/, cosign/). */
export const VECTORS_DIR = locate();
