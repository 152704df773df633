// The one stream check for blob bytes: pass-through transforms that count and SHA-256 bytes on the fly
// and fail with DIGEST_MISMATCH when what went through is not what the descriptor promised (too long
// fails early, at the first extra byte). The last chunk is held back until the digest is checked, so a
// consumer (a file, a registry upload) never receives the complete content of a mismatching blob.

import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback, type TransformOptions } from 'node:stream';
import { ModelsealError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import { paceScavenges } from './scavenge-pacer.js';
import type { Descriptor } from './target.js';

/** What went wrong: more bytes than declared (seen early), or the finished content's size or digest. */
export type DigestProblem = { kind: 'too-long' } | { kind: 'size' | 'digest'; digest: string; bytes: number };

/** A Transform that verifies size and SHA-256 of what passes through against `expected`. */
export class DigestingTransform extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;
  private held?: Buffer;
  /** The DIGEST_MISMATCH this stream raised, if any (the consumer may only see a follow-on error). */
  failure?: ModelsealError;

  constructor(
    protected readonly expected: Descriptor,
    private readonly what = 'blob',
    opts: TransformOptions & { onBytes?: (n: number) => void } = {},
  ) {
    const { onBytes, ...options } = opts;
    super(options);
    this.onBytes = onBytes;
    if (!isSha256Digest(expected.digest)) {
      throw new ModelsealError(
        'UNSUPPORTED_MEDIA_TYPE',
        `unsupported or malformed digest "${expected.digest}" (only sha256 is supported)`,
      );
    }
  }

  private readonly onBytes?: (n: number) => void;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.expected.size) {
      cb((this.failure = this.mismatch({ kind: 'too-long' })));
      return;
    }
    this.onBytes?.(chunk.length);
    this.hash.update(chunk);
    paceScavenges(chunk.length);
    const previous = this.held;
    this.held = chunk;
    cb(null, previous);
  }

  override _flush(cb: TransformCallback): void {
    const digest = `sha256:${this.hash.digest('hex')}`;
    if (this.count !== this.expected.size) {
      cb((this.failure = this.mismatch({ kind: 'size', digest, bytes: this.count })));
      return;
    }
    if (digest !== this.expected.digest) {
      cb((this.failure = this.mismatch({ kind: 'digest', digest, bytes: this.count })));
      return;
    }
    cb(null, this.held);
  }

  /** The error for `problem`; subclasses word it for their callers. */
  protected mismatch(problem: DigestProblem): ModelsealError {
    const exp = this.expected;
    const detail =
      problem.kind === 'too-long'
        ? `more than the expected ${exp.size} bytes`
        : problem.kind === 'size'
          ? `${problem.bytes} bytes instead of ${exp.size}`
          : `content hashes to ${problem.digest}`;
    return new ModelsealError(
      'DIGEST_MISMATCH',
      `${this.what} ${exp.digest} does not match its descriptor: ${detail}`,
      {
        details: { expected: exp.digest, size: exp.size },
      },
    );
  }
}

/**
 * The check used when writing layers and layout blobs: messages start with `where` and give both sides;
 * `onBytes` gets every chunk's length (progress) so no extra counting stage is needed.
 */
export class VerifyingTap extends DigestingTransform {
  constructor(
    expected: { digest: string; size: number },
    private readonly where: string,
    onBytes?: (n: number) => void,
  ) {
    super({ mediaType: 'application/octet-stream', ...expected }, 'blob', {
      highWaterMark: 64 * 1024,
      ...(onBytes ? { onBytes } : {}),
    });
  }

  protected override mismatch(problem: DigestProblem): ModelsealError {
    const exp = this.expected;
    if (problem.kind === 'too-long') {
      return new ModelsealError(
        'DIGEST_MISMATCH',
        `${this.where}: more than the ${exp.size} bytes its descriptor declares (${exp.digest})`,
      );
    }
    return new ModelsealError(
      'DIGEST_MISMATCH',
      `${this.where}: content hashes to ${problem.digest} (${problem.bytes} bytes), expected ${exp.digest} (${exp.size} bytes)`,
    );
  }
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
