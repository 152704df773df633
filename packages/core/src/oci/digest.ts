// OCI digest strings: strict validation (they become file names in layouts) and in-memory hashing.
// Streams are checked by verifying-stream.ts.
import { createHash } from 'node:crypto';
import { ModelsealError } from '../errors.js';

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** True for `sha256:` + 64 lowercase hex, the only digest form modelseal reads or writes. */
export function isSha256Digest(digest: unknown): digest is `sha256:${string}` {
  return typeof digest === 'string' && SHA256_DIGEST.test(digest);
}

/** Throw `code` unless `digest` is a well-formed sha256 digest; `where` says what carried it. */
export function assertSha256Digest(
  digest: unknown,
  where: string,
  code: 'BAD_REFERENCE' | 'REGISTRY' | 'DIGEST_MISMATCH' = 'REGISTRY',
): string {
  if (!isSha256Digest(digest)) {
    const shown = typeof digest === 'string' ? `'${digest.slice(0, 80)}'` : typeof digest;
    throw new ModelsealError(
      code,
      `${where}: invalid digest ${shown} (want sha256: followed by 64 lowercase hex characters)`,
    );
  }
  return digest;
}

/** The 64-character hex part of a validated sha256 digest. */
export function digestHex(digest: string): string {
  return assertSha256Digest(digest, 'digest').slice('sha256:'.length);
}

/** The `sha256:<hex>` digest of bytes in memory. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest of the empty blob (an empty file's raw layer). */
export const EMPTY_BLOB_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
