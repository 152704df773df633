// Reads a small file the user named (signature, policy, key, certificate, predicate, trusted root)
// with one-line NOT_FOUND / UNREADABLE errors. The file is opened O_NONBLOCK and checked with fstat
// before a byte is read: only a regular file is read (a FIFO, a device such as /dev/zero, a socket
// or a directory is refused, whatever symlink leads there), and never more than a size cap, even if
// the file grows while it is read. JSON that does not parse fails without echoing the content.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ModelsealError, type ErrorCode } from './errors.js';

/** The default cap of readInputFile: 16 MiB, far above any key, certificate, policy or predicate. */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

/** Options of readInputFile: the size cap and the errors for a missing or oversized file. */
export interface InputFileOptions {
  /** most bytes read (default MAX_INPUT_FILE_BYTES) */
  maxBytes?: number;
  /** the error for a file over the cap, given its size when known (default UNREADABLE "more than N bytes") */
  tooLarge?: (size: number | undefined) => ModelsealError;
  /** the error for a missing file (default NOT_FOUND "no such file") */
  notFound?: () => ModelsealError;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

async function readCapped(
  handle: FileHandle,
  max: number,
  tooLarge: (size: number | undefined) => ModelsealError,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    const { bytesRead } = await handle.read(buf, 0, buf.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > max) throw tooLarge(undefined);
    chunks.push(buf.subarray(0, bytesRead));
  }
}

/**
 * The whole file at `path`, read from a regular file only and at most `opts.maxBytes` (default
 * 16 MiB). `what` (e.g. 'trusted root') prefixes the path in messages. Throws NOT_FOUND (no such
 * file), UNREADABLE (not a regular file, unreadable, or over the cap unless `opts.tooLargeCode`).
 */
export async function readInputFile(
  path: string,
  what?: string,
  opts: InputFileOptions = {},
): Promise<Buffer> {
  const name = what ? `${what} ${path}` : path;
  const max = opts.maxBytes ?? MAX_INPUT_FILE_BYTES;
  const tooLarge =
    opts.tooLarge ??
    ((size: number | undefined) =>
      new ModelsealError(
        'UNREADABLE',
        `${name}: ${size === undefined ? 'more than' : `${size} bytes, more than`} ${max} bytes`,
      ));
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT')
      throw opts.notFound?.() ?? new ModelsealError('NOT_FOUND', `${name}: no such file`);
    throw new ModelsealError('UNREADABLE', `${name}: cannot read (${code ?? 'error'})`, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ModelsealError('UNREADABLE', `${name}: ${kindOf(st)}, not a regular file`);
    if (st.size > max) throw tooLarge(st.size);
    return await readCapped(handle, max, tooLarge);
  } catch (e) {
    if (e instanceof ModelsealError) throw e;
    const code = (e as { code?: string }).code;
    throw new ModelsealError('UNREADABLE', `${name}: cannot read (${code ?? 'error'})`, { cause: e });
  } finally {
    await handle.close();
  }
}

/** The file parsed as JSON; text that is not JSON is `invalidCode`. Throws as readInputFile. */
export async function readJsonFile(path: string, what: string, invalidCode: ErrorCode): Promise<unknown> {
  const text = (await readInputFile(path, what)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelsealError(invalidCode, `${what} ${path}: not valid JSON`);
  }
}
