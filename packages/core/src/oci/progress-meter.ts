// Byte counting for progress bars: a pass-through stream that reports into a shared, throttled meter.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ProgressListener } from '../types.js';

export class ProgressMeter {
  bytesDone = 0;
  bytesTotal = 0;
  private last = 0;
  constructor(
    private readonly listener?: ProgressListener,
    private readonly intervalMs = 100,
  ) {}

  add(bytes: number, item?: string): void {
    this.bytesDone += bytes;
    const now = Date.now();
    if (this.listener && (now - this.last >= this.intervalMs || this.bytesDone >= this.bytesTotal)) {
      this.last = now;
      this.listener({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, ...(item ? { item } : {}) });
    }
  }

  /**
   * `source` passed through unchanged while its bytes are counted. An error of `source` ends the
   * returned stream with that error (a plain `.pipe` would leave the consumer waiting forever), and
   * destroying the returned stream releases `source`.
   */
  count(source: Readable, item?: string): Readable {
    const counter = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        this.add(chunk.length, item);
        cb(null, chunk);
      },
    });
    source.on('error', (e) => counter.destroy(e));
    counter.once('close', () => source.destroy());
    return source.pipe(counter);
  }

  finish(): void {
    this.listener?.({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal });
  }
}
