// Where the third-party interoperability vectors live: `fixtures/interop/` in this repository
// (provenance and licences in fixtures/interop/README.md). Missing vectors fail loudly, never skip.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the interop vectors folder (contains oms-python/, oms-spec/, cosign/). */
export const VECTORS_DIR = path.join(repoRoot, 'fixtures/interop');

if (!existsSync(path.join(VECTORS_DIR, 'oms-python'))) {
  throw new Error(`interoperability vectors not found in ${VECTORS_DIR}`);
}
