// Sequential byte readers the format parsers pull from: one over a file (positional reads, so large
// payloads are skipped without reading them) and one over a stream (skipping consumes). Both know the
// absolute offset of the next byte, which findings report.
import type { FileHandle } from 'node:fs/promises';

/** A forward-only reader with an absolute offset. `take` is for small pieces (it buffers them). */
export interface ByteReader {
  /** Absolute offset of the next byte. */
  readonly offset: number;
  /** The next `n` bytes, or fewer at end of input. */
  take(n: number): Promise<Buffer>;
  /** Pass over `n` bytes; returns how many there were (fewer at end of input). */
  skip(n: number): Promise<number>;
  /** The next byte without consuming it, or undefined at end of input. */
  peek(): Promise<number | undefined>;
  /** Bytes available now, without I/O (the parsers' synchronous fast path). */
  readonly available: number;
  /** Buffer at least `n` bytes if the input has them. */
  fill(n: number): Promise<void>;
  /** The next up to `n` already-buffered bytes (a view; no I/O). */
  takeSync(n: number): Buffer;
  /**
   * Already-buffered bytes up to and including the first `byte`, or all that is buffered when `byte` is
   * not among them (a view; no I/O). Line-based pickle arguments are read with it.
   */
  takeUntilSync(byte: number): Buffer;
  /**
   * The already-buffered bytes from the offset on that are contiguous in memory (a view; no I/O, may be
   * empty). The pickle walker runs its opcodes over it by index, then `advance`s past what it used.
   */
  window(): Buffer;
  /** Consume `n` bytes of the current `window()` (n <= its length). */
  advance(n: number): void;
  /** Make the first `n` buffered bytes (or all there are) contiguous, so `window()` holds them. */
  coalesce(n: number): void;
}

const CHUNK = 64 * 1024;
/** Sequential reads double from CHUNK up to this: a short probe costs 64 KiB, a long walk few reads. */
const MAX_CHUNK = 1024 * 1024;

/**
 * Reads `handle` from `start` (default 0) up to `end` (default: its size), in positional reads of
 * 64 KiB, doubling for each further read up to 1 MiB.
 */
export class FileByteReader implements ByteReader {
  private buf = Buffer.alloc(0);
  private chunk = CHUNK;
  private bufStart: number;
  private pos: number;

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
    this.bufStart = start;
  }

  get offset(): number {
    return this.pos;
  }

  get available(): number {
    return this.bufStart + this.buf.length - this.pos;
  }

  takeSync(n: number): Buffer {
    const from = this.pos - this.bufStart;
    const piece = this.buf.subarray(from, from + Math.min(n, this.available));
    this.pos += piece.length;
    return piece;
  }

  window(): Buffer {
    return this.buf.subarray(this.pos - this.bufStart);
  }

  advance(n: number): void {
    this.pos += n;
  }

  coalesce(): void {
    // one buffer: always contiguous
  }

  takeUntilSync(byte: number): Buffer {
    const from = this.pos - this.bufStart;
    const hit = this.buf.indexOf(byte, from);
    return this.takeSync(hit < 0 ? this.available : hit - from + 1);
  }

  async fill(n: number): Promise<void> {
    const have = this.bufStart + this.buf.length - this.pos;
    if (have >= n) return;
    const want = Math.min(Math.max(n, this.chunk), this.end - this.pos);
    this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
    if (want <= 0) {
      this.buf = Buffer.alloc(0);
      this.bufStart = this.pos;
      return;
    }
    const out = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.handle.read(out, 0, want, this.pos);
    this.buf = out.subarray(0, bytesRead);
    this.bufStart = this.pos;
  }

  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.takeSync(n);
  }

  async skip(n: number): Promise<number> {
    const step = Math.max(0, Math.min(n, this.end - this.pos));
    this.pos += step;
    return step;
  }

  async peek(): Promise<number | undefined> {
    await this.fill(1);
    return this.pos < this.bufStart + this.buf.length ? this.buf[this.pos - this.bufStart] : undefined;
  }
}

/** Reads an async iterable of chunks (a Readable), counting offsets from `start`. */
export class StreamByteReader implements ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private pos: number;

  constructor(source: AsyncIterable<Buffer>, start = 0) {
    this.it = source[Symbol.asyncIterator]();
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get available(): number {
    return this.buffered;
  }

  async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }

  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.takeSync(n);
  }

  takeSync(n: number): Buffer {
    if (this.chunks.length === 0) return Buffer.alloc(0);
    if (this.chunks[0].length >= n) {
      const head = this.chunks[0];
      const piece = head.subarray(0, n);
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      this.buffered -= n;
      this.pos += n;
      return piece;
    }
    const all = Buffer.concat(this.chunks);
    const piece = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(piece.length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.pos += piece.length;
    return piece;
  }

  window(): Buffer {
    return this.chunks.length === 0 ? Buffer.alloc(0) : this.chunks[0];
  }

  advance(n: number): void {
    if (n === 0) return;
    const head = this.chunks[0];
    if (n === head.length) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.buffered -= n;
    this.pos += n;
  }

  coalesce(n: number): void {
    if (this.chunks.length > 1 && this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
  }

  takeUntilSync(byte: number): Buffer {
    if (this.chunks.length === 0) return Buffer.alloc(0);
    const head = this.chunks[0];
    const hit = head.indexOf(byte);
    return this.takeSync(hit < 0 ? head.length : hit + 1);
  }

  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0) {
        await this.fill(1);
        if (this.buffered === 0) break;
      }
      const head = this.chunks[0];
      const step = Math.min(left, head.length);
      if (step === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(step);
      this.buffered -= step;
      left -= step;
      this.pos += step;
    }
    return n - left;
  }

  async peek(): Promise<number | undefined> {
    await this.fill(1);
    return this.buffered > 0 ? this.chunks[0][0] : undefined;
  }

  /** A copy of the next `n` bytes (fewer at end of input) without consuming them. */
  async peekBytes(n: number): Promise<Buffer> {
    await this.fill(n);
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  /** Consume everything left (so a verifying stream sees the whole blob); returns the byte count. */
  async drain(): Promise<number> {
    return this.skip(Number.MAX_SAFE_INTEGER);
  }
}
