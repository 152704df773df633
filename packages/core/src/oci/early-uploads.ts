// Blob uploads that start while the rest of a model is still being hashed: pushModel hands each file
// here as soon as its sha256 is known (the digest names its blob), so uploading file k overlaps
// hashing the files after it. The destination checks every byte against that digest while writing
// it, exactly as the copy that follows would; that copy then finds these blobs present.
import { createReadStream } from 'node:fs';
import { addAbortSignal } from 'node:stream';
import type { ModelFile } from '../types.js';
import type { ProgressMeter } from './progress-meter.js';
import type { Descriptor, Target } from './target.js';

/** Uploads of known-digest files into one target, `concurrency` at a time, first failure kept. */
export class EarlyUploads {
  /** digests of the blobs uploaded here (not those the destination already had) */
  readonly uploaded = new Set<string>();
  private readonly started = new Set<string>();
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  private failure: { err: unknown } | undefined;
  private idle: (() => void) | undefined;

  /**
   * `onFailure` is told the first error (e.g. to stop hashing); later uploads are not started.
   * `meter` counts the bytes read for upload.
   */
  constructor(
    private readonly target: Target,
    private readonly concurrency: number,
    private readonly onFailure: (err: unknown) => void,
    private readonly meter?: ProgressMeter,
    private readonly signal?: AbortSignal,
  ) {}

  /** Queue `file`'s blob (`sha256:<hex>`); a digest already queued is not uploaded twice. */
  add(file: ModelFile, sha256Hex: string): void {
    const desc: Descriptor = {
      mediaType: 'application/octet-stream',
      digest: `sha256:${sha256Hex}`,
      size: file.size,
    };
    if (this.failure || this.started.has(desc.digest)) return;
    this.started.add(desc.digest);
    this.waiting.push(() => this.upload(file, desc));
    this.pump();
  }

  /** Resolves once every queued upload ended; rejects with the first failure. */
  async settled(): Promise<void> {
    if (this.running > 0 || this.waiting.length > 0)
      await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure) throw this.failure.err;
  }

  private pump(): void {
    while (!this.failure && this.running < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.running++;
      next()
        .catch((err: unknown) => {
          if (this.failure) return;
          this.failure = { err };
          this.waiting.length = 0;
          this.onFailure(err);
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && (this.failure || this.waiting.length === 0)) this.idle?.();
        });
    }
  }

  private async upload(file: ModelFile, desc: Descriptor): Promise<void> {
    this.signal?.throwIfAborted();
    if (await this.target.exists(desc)) return;
    let counted = 0; // a retried upload reopens the file: count its bytes once
    await this.target.push(desc, {
      kind: 'stream',
      open: () => {
        const stream = createReadStream(file.path, { highWaterMark: 64 * 1024 });
        if (this.meter) {
          this.meter.bytesDone -= counted;
          counted = 0;
          stream.on('data', (c: Buffer | string) => {
            counted += c.length;
            this.meter!.add(c.length, file.name);
          });
        }
        return this.signal ? addAbortSignal(this.signal, stream) : stream;
      },
    });
    this.uploaded.add(desc.digest);
  }
}
