// Byte counting for progress bars: a pass-through stream that reports into a shared, throttled meter.
import { Transform, type TransformCallback } from 'node:stream';
import type { ProgressListener } from '../types.js';

export class ProgressMeter {
  bytesDone = 0;
  bytesTotal = 0;
  private last = 0;
  constructor(private readonly listener?: ProgressListener, private readonly intervalMs = 100) {}

  add(bytes: number, item?: string): void {
    this.bytesDone += bytes;
    const now = Date.now();
    if (this.listener && (now - this.last >= this.intervalMs || this.bytesDone >= this.bytesTotal)) {
      this.last = now;
      this.listener({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, ...(item ? { item } : {}) });
    }
  }

  /** A transform that forwards bytes unchanged and counts them. */
  counter(item?: string): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        this.add(chunk.length, item);
        cb(null, chunk);
      },
    });
  }

  finish(): void {
    this.listener?.({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal });
  }
}
