// The `index.json` of an OCI image layout: strict reading, and read-modify-write updates that are
// serialised per layout inside this process and land atomically (temp file + rename).
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelsealError } from '../../errors.js';
import { writeErrorCode } from '../../fs-error-code.js';
import { KeyedLock } from '../keyed-lock.js';
import { ownedName } from '../stale-files.js';
import { checkDescriptor, canonicalJson } from '../manifest.js';
import { MediaTypes, type Descriptor } from '../target.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** Prefix of index.json temporary files (`.index.json.<pid>-<hex>.tmp`). */
export const INDEX_TMP = '.index.json.';

export interface LayoutIndexDocument {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** index.json updates of one layout (keyed by absolute path) run one at a time. */
const indexLock = new KeyedLock();

export function emptyIndex(): LayoutIndexDocument {
  return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
}

export async function readLayoutIndex(root: string): Promise<LayoutIndexDocument> {
  const file = join(root, 'index.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ModelsealError('NOT_FOUND', `OCI layout ${root} has no readable index.json`, { cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ModelsealError('UNREADABLE', `${file} is not valid JSON`, { cause: e });
  }
  const d = doc as Partial<LayoutIndexDocument>;
  if (typeof doc !== 'object' || doc === null || d.schemaVersion !== 2 || !Array.isArray(d.manifests)) {
    throw new ModelsealError(
      'UNREADABLE',
      `${file} is not an OCI image index (schemaVersion 2 with a manifests array)`,
    );
  }
  d.manifests.forEach((m, i) => checkDescriptor(m, `${file} manifests[${i}]`));
  return d as LayoutIndexDocument;
}

/** Apply `change` to index.json under the per-layout lock and replace the file atomically. */
export async function updateLayoutIndex(
  root: string,
  change: (index: LayoutIndexDocument) => void,
): Promise<void> {
  await indexLock.run(resolve(root), async () => {
    const index = await readLayoutIndex(root);
    change(index);
    const tmp = join(root, ownedName(INDEX_TMP, '.tmp'));
    try {
      await writeFile(tmp, canonicalJson(index));
      await rename(tmp, join(root, 'index.json'));
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw new ModelsealError(
        writeErrorCode(e),
        `cannot update ${join(root, 'index.json')}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  });
}
