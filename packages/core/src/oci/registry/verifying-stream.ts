// Pass-through streams that count and SHA-256 bytes on the fly and fail with DIGEST_MISMATCH when
// what went through is not what the descriptor promised (too long fails early, at the first extra byte).
// The last chunk is held back until the digest is checked, so a consumer (a file, a registry upload)
// never receives the complete content of a mismatching blob.

import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ModelsealError } from '../../errors.js';
import type { Descriptor } from '../target.js';

export interface DigestResult {
  digest: string;
  size: number;
}

function checkAlgorithm(desc: Descriptor): void {
  if (!/^sha256:[a-f0-9]{64}$/.test(desc.digest)) {
    throw new ModelsealError('UNSUPPORTED_MEDIA_TYPE', `unsupported or malformed digest "${desc.digest}" (only sha256 is supported)`);
  }
}

/** A Transform that hashes what passes through; `result()` is valid after the end. */
export class DigestingTransform extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;
  private final_?: DigestResult;
  /** The DIGEST_MISMATCH this stream raised, if any (the consumer may only see a follow-on error). */
  failure?: ModelsealError;

  constructor(
    private readonly expected?: Descriptor,
    private readonly what = 'blob',
  ) {
    super();
    if (expected) checkAlgorithm(expected);
  }

  private held?: Buffer;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.expected && this.count > this.expected.size) {
      cb((this.failure = mismatch(this.expected, this.what, `more than the expected ${this.expected.size} bytes`)));
      return;
    }
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    cb(null, previous);
  }

  override _flush(cb: TransformCallback): void {
    const digest = `sha256:${this.hash.digest('hex')}`;
    this.final_ = { digest, size: this.count };
    const exp = this.expected;
    if (exp && this.count !== exp.size) {
      cb((this.failure = mismatch(exp, this.what, `${this.count} bytes instead of ${exp.size}`)));
      return;
    }
    if (exp && digest !== exp.digest) {
      cb((this.failure = mismatch(exp, this.what, `content hashes to ${digest}`)));
      return;
    }
    cb(null, this.held);
  }

  result(): DigestResult | undefined {
    return this.final_;
  }
}

function mismatch(desc: Descriptor, what: string, detail: string): ModelsealError {
  return new ModelsealError('DIGEST_MISMATCH', `${what} ${desc.digest} does not match its descriptor: ${detail}`, {
    details: { expected: desc.digest, size: desc.size },
  });
}

/**
 * Pass `stream` through, checking size and SHA-256 against `desc`; the returned stream errors with
 * DIGEST_MISMATCH (after the last byte, or at the first byte too many). Pipe it to a staging file.
 */
export function verifyingStream(stream: Readable, desc: Descriptor, what = 'blob'): Readable {
  const check = new DigestingTransform(desc, what);
  stream.on('error', (err) => check.destroy(err));
  return stream.pipe(check);
}

/** SHA-256 digest of bytes in memory. */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
