// OCI digest strings: strict validation (they become file names in layouts) and hashing helpers.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ModelsealError } from '../errors.js';

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** True for `sha256:` + 64 lowercase hex, the only digest form modelseal reads or writes. */
export function isSha256Digest(digest: unknown): digest is string {
  return typeof digest === 'string' && SHA256_DIGEST.test(digest);
}

/** Throw `code` unless `digest` is a well-formed sha256 digest; `where` says what carried it. */
export function assertSha256Digest(digest: unknown, where: string, code: 'BAD_REFERENCE' | 'REGISTRY' | 'DIGEST_MISMATCH' = 'REGISTRY'): string {
  if (!isSha256Digest(digest)) {
    const shown = typeof digest === 'string' ? `'${digest.slice(0, 80)}'` : typeof digest;
    throw new ModelsealError(code, `${where}: invalid digest ${shown} (want sha256: followed by 64 lowercase hex characters)`);
  }
  return digest;
}

/** The 64-character hex part of a validated sha256 digest. */
export function digestHex(digest: string): string {
  return assertSha256Digest(digest, 'digest').slice('sha256:'.length);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest of the empty blob (an empty file's raw layer). */
export const EMPTY_BLOB_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A pass-through stream that hashes (SHA-256) and counts every byte it forwards. */
export class DigestTap extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  /** `sha256:<hex>` of everything forwarded; valid once the stream ended. */
  digest(): string {
    this.result ??= `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
  private result?: string;
}

/**
 * A DigestTap that enforces an expected digest and size: it errors with 'DIGEST_MISMATCH' as soon as
 * more bytes than `size` arrive, and at the end if the digest or size differ.
 */
export class VerifyingTap extends DigestTap {
  /**
   * @param onBytes called with every chunk's length (progress), so no extra counting stage is needed
   */
  constructor(
    private readonly expected: { digest: string; size: number },
    private readonly where: string,
    private readonly onBytes?: (n: number) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }
  override _transform(chunk: Buffer, enc: BufferEncoding, cb: TransformCallback): void {
    if (this.bytes + chunk.length > this.expected.size) {
      cb(new ModelsealError('DIGEST_MISMATCH', `${this.where}: more than the ${this.expected.size} bytes its descriptor declares (${this.expected.digest})`));
      return;
    }
    this.onBytes?.(chunk.length);
    super._transform(chunk, enc, cb);
  }
  override _flush(cb: TransformCallback): void {
    const actual = this.digest();
    if (actual !== this.expected.digest || this.bytes !== this.expected.size) {
      cb(new ModelsealError('DIGEST_MISMATCH', `${this.where}: content hashes to ${actual} (${this.bytes} bytes), expected ${this.expected.digest} (${this.expected.size} bytes)`));
      return;
    }
    cb();
  }
}
