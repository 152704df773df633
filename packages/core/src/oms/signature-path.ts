// Where a model's signature lives by default: MODEL/model.sig for a directory, MODEL.sig for a file.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelsealError } from '../errors.js';

/** The default signature file name inside a model directory. */
export const DEFAULT_SIGNATURE_NAME = 'model.sig';

/** The default signature path for a model (the model must exist). */
export async function defaultSignaturePath(modelPath: string): Promise<string> {
  let isDir: boolean;
  try {
    isDir = (await stat(modelPath)).isDirectory();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new ModelsealError('NOT_FOUND', `model '${modelPath}' does not exist`);
    throw new ModelsealError('UNREADABLE', `model '${modelPath}' cannot be read (${code ?? 'error'})`, {
      cause: e,
    });
  }
  const abs = path.resolve(modelPath);
  return isDir ? path.join(abs, DEFAULT_SIGNATURE_NAME) : `${abs}.sig`;
}
