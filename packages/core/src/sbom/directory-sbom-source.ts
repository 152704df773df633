// A model directory or single file as an SbomSource: its files hashed like `modelseal hash` (model.sig
// left out), and the model-card files read from disk.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashModel } from '../model/hash-model.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { SbomSource } from './cyclonedx-bom.js';

/** A directory or single file as an SbomSource. Throws NOT_FOUND / EMPTY_MODEL as hashModel does. */
export async function directorySbomSource(modelPath: string, jobs?: number): Promise<SbomSource> {
  const manifest = await hashModel(modelPath, { jobs, signaturePath: await defaultSignaturePath(modelPath) });
  const root = path.resolve(modelPath);
  const isFile = manifest.resources.length === 1 && manifest.resources[0].name === '.';
  return {
    name: manifest.subjectName,
    root: manifest.root,
    files: manifest.resources.map((r) => ({
      name: isFile ? manifest.subjectName : r.name,
      sha256: r.digest,
    })),
    read: async (name) => {
      if (isFile) return undefined;
      try {
        return await readFile(path.join(root, name));
      } catch {
        return undefined;
      }
    },
  };
}
