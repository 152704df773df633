// Reads a small file the user named (key, certificate, trusted root, signing config) with one-line
// NOT_FOUND / UNREADABLE errors. JSON that does not parse fails without echoing the file's content.
import { readFile } from 'node:fs/promises';
import { ModelsealError, type ErrorCode } from './errors.js';

/** The whole file. `what` (e.g. 'trusted root') prefixes the path in messages. */
export async function readInputFile(path: string, what?: string): Promise<Buffer> {
  const name = what ? `${what} ${path}` : path;
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new ModelsealError('NOT_FOUND', `${name}: no such file`);
    throw new ModelsealError('UNREADABLE', `${name}: cannot read (${code ?? 'error'})`, { cause: e });
  }
}

/** The file parsed as JSON; text that is not JSON is `invalidCode`. */
export async function readJsonFile(path: string, what: string, invalidCode: ErrorCode): Promise<unknown> {
  const text = (await readInputFile(path, what)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelsealError(invalidCode, `${what} ${path}: not valid JSON`);
  }
}
