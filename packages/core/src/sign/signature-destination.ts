// Where `sign` may write its bundle: never over the signing key or certificate, never over a file
// that is not a Sigstore bundle (a weight, a config), and over an existing signature only when
// asked to. The write itself is atomic, and without `overwrite` it cannot replace a file that
// appeared after the check (hard link, which fails on EEXIST, instead of rename).
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelsealError } from '../errors.js';
import { fsErrorCode, writeErrorCode } from '../fs-error-code.js';

/** Files at most this big are read to tell whether an existing file is a Sigstore bundle. */
const BUNDLE_SNIFF_BYTES = 4096;
/** What gets past an existing signature: the `overwrite` option. */
const OVERWRITE = { option: 'overwrite', action: 'set', to: 'replace it' } as const;

export interface SignatureDestinationOptions {
  /** replace an existing Sigstore bundle at the path (default false: refuse) */
  overwrite?: boolean;
  /** files that must never be replaced (signing key, certificates): compared by device and inode */
  protectedPaths?: readonly string[];
}

/** True when the first bytes of `file` look like a Sigstore bundle (its JSON mediaType). */
async function looksLikeBundle(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(BUNDLE_SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8');
    return /^\s*\{/.test(head) && /"mediaType"\s*:\s*"application\/vnd\.dev\.sigstore\.bundle/.test(head);
  } finally {
    await fh.close();
  }
}

/**
 * Check that a signature may be written at `signaturePath` (absolute). Throws `DEST_EXISTS` when it
 * is a protected file, a directory, a file that is not a Sigstore bundle, or (without `overwrite`)
 * an existing signature; `UNREADABLE` when it cannot be inspected.
 */
export async function checkSignatureDestination(
  signaturePath: string,
  opts: SignatureDestinationOptions = {},
): Promise<void> {
  let st;
  try {
    st = await stat(signaturePath);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return;
    throw new ModelsealError(fsErrorCode(e), `signature path '${signaturePath}' cannot be used (${code})`, {
      cause: e,
    });
  }
  for (const p of opts.protectedPaths ?? []) {
    const other = await stat(p).catch(() => undefined);
    if (other && other.ino === st.ino && other.dev === st.dev) {
      throw new ModelsealError(
        'DEST_EXISTS',
        `refusing to write the signature over '${p}', a key or certificate used to sign`,
        { remedy: { option: 'signaturePath', action: 'change' } },
      );
    }
  }
  if (!st.isFile()) {
    throw new ModelsealError(
      'DEST_EXISTS',
      `refusing to write the signature to '${signaturePath}': it exists and is not a regular file`,
    );
  }
  if (!(await looksLikeBundle(signaturePath))) {
    throw new ModelsealError(
      'DEST_EXISTS',
      `refusing to replace '${signaturePath}': it exists and is not a signature (Sigstore bundle)`,
      { remedy: { option: 'signaturePath', action: 'change' } },
    );
  }
  if (!opts.overwrite) {
    throw new ModelsealError('DEST_EXISTS', `signature '${signaturePath}' already exists`, {
      remedy: OVERWRITE,
    });
  }
}

/**
 * Write `data` to `file` through a temporary file in the same directory. With `overwrite` the
 * temporary file is renamed over `file`; without, it is hard-linked to `file`, which fails with
 * `DEST_EXISTS` if `file` exists. Other failures throw a write error code naming the file.
 */
export async function writeFileAtomic(file: string, data: Buffer, overwrite = true): Promise<void> {
  // A short temporary name: a long signature name plus a suffix must not exceed NAME_MAX.
  const tmp = path.join(
    path.dirname(file),
    `.modelseal-${process.pid}-${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tmp, data, { flag: 'wx', mode: 0o644 });
    if (overwrite) await rename(tmp, file);
    else await link(tmp, file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST' && !overwrite)
      throw new ModelsealError('DEST_EXISTS', `signature '${file}' already exists`, { remedy: OVERWRITE });
    throw new ModelsealError(writeErrorCode(e), `cannot write signature '${file}' (${code ?? 'error'})`, {
      cause: e,
    });
  } finally {
    await rm(tmp, { force: true });
  }
}
