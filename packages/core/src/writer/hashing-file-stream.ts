// A Writable that writes a model file and hashes it on the way: the bytes go to a temporary file
// next to the destination while a hasher (one per shard with `shards`) sees them; on end the file
// is renamed into place and its OMS resources and stamp are handed over. Nothing is read back.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ModelsealError } from '../errors.js';
import { stampChange, stampOf } from '../digest/file-stamp.js';
import type { FileStamp } from '../types.js';
import { resourceAlgorithm } from '../digest/hash-files.js';
import { createHasher } from '../digest/hasher.js';
import type { StreamHasher } from '../digest/stream-hasher.js';
import { writeErrorCode } from '../fs-error-code.js';
import type { HashingConfig, Resource } from '../types.js';

/** What a finished stream wrote: the file's stamp once in place, and its resources. */
export interface WrittenFile {
  name: string;
  /** undefined when the file changed between its last write and the rename (then it is hashed again) */
  stamp?: FileStamp;
  resources: Resource[];
  size: number;
}

/** Where and how a HashingFileStream writes. */
export interface HashingFileStreamOptions {
  /** model-relative POSIX name (checked by the caller) */
  name: string;
  /** absolute destination path */
  file: string;
  config: HashingConfig;
  /** fsync the file before the rename (default false) */
  fsync?: boolean;
  /** called once the file is in place */
  onWritten: (file: WrittenFile) => void;
}

/** Writes one model file atomically (temporary name, then rename) while hashing its bytes. */
export class HashingFileStream extends Writable {
  private fh?: FileHandle;
  private readonly tmp: string;
  private pos = 0;
  private shardStart = 0;
  private hasher: StreamHasher;
  private readonly digests: Buffer[] = [];
  private renamed = false;

  constructor(private readonly opts: HashingFileStreamOptions) {
    super({ highWaterMark: 1 << 20 });
    this.tmp = path.join(
      path.dirname(opts.file),
      `.${path.basename(opts.file).slice(0, 80)}.modelseal-${randomBytes(6).toString('hex')}.tmp`,
    );
    this.hasher = createHasher(opts.config.hashType);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    mkdir(path.dirname(this.opts.file), { recursive: true })
      .then(() => open(this.tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644))
      .then(
        (fh) => {
          this.fh = fh;
          callback();
        },
        (e: unknown) => callback(this.failure(e)),
      );
  }

  /** Feed `chunk` to the hashers, closing a shard at every shard boundary. */
  private hash(chunk: Buffer): void {
    const { method, shardSize } = this.opts.config;
    let off = 0;
    while (off < chunk.length) {
      const room = method === 'shards' ? shardSize - (this.pos - this.shardStart) : chunk.length - off;
      const n = Math.min(room, chunk.length - off);
      this.hasher.update(chunk.subarray(off, off + n));
      off += n;
      this.pos += n;
      if (method === 'shards' && this.pos - this.shardStart === shardSize) {
        this.digests.push(this.hasher.digest());
        this.hasher = createHasher(this.opts.config.hashType);
        this.shardStart = this.pos;
      }
    }
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    for (const b of buffers) this.hash(b);
    this.writeAll(buffers).then(
      () => callback(),
      (e: unknown) => callback(this.failure(e)),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    const fh = this.fh as FileHandle;
    let rest = buffers;
    while (rest.length > 0) {
      let { bytesWritten } = await fh.writev(rest);
      const next: Buffer[] = [];
      for (const b of rest) {
        if (bytesWritten >= b.length) bytesWritten -= b.length;
        else {
          next.push(b.subarray(bytesWritten));
          bytesWritten = 0;
        }
      }
      rest = next;
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.complete().then(
      () => callback(),
      (e: unknown) => callback(this.failure(e)),
    );
  }

  private async complete(): Promise<void> {
    const fh = this.fh as FileHandle;
    if (this.opts.fsync) await fh.sync();
    const written = stampOf(await fh.stat());
    await fh.close();
    this.fh = undefined;
    await rename(this.tmp, this.opts.file);
    this.renamed = true;
    // The rename moves ctime; the inode, size and mtime must still be what this stream wrote.
    const placed = stampOf(await lstat(this.opts.file));
    const moved = stampChange(written, { ...placed, ctimeMs: written.ctimeMs });
    if (this.pos > this.shardStart || this.digests.length === 0) this.digests.push(this.hasher.digest());
    this.opts.onWritten({
      name: this.opts.name,
      stamp: moved || placed.size !== this.pos ? undefined : placed,
      resources: this.resources(),
      size: this.pos,
    });
  }

  private resources(): Resource[] {
    const { config, name } = this.opts;
    const algorithm = resourceAlgorithm(config);
    if (config.method === 'files') return [{ name, algorithm, digest: this.digests[0].toString('hex') }];
    return this.digests.map((d, i) => {
      const start = i * config.shardSize;
      const end = Math.min(start + config.shardSize, this.pos);
      return { name: `${name}:${start}:${end}`, algorithm, digest: d.toString('hex') };
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    const cleanup = async (): Promise<void> => {
      await fh?.close().catch(() => undefined);
      if (!this.renamed) await rm(this.tmp, { force: true });
    };
    cleanup().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private failure(e: unknown): Error {
    if (e instanceof ModelsealError) return e;
    const code = (e as { code?: string }).code;
    return new ModelsealError(writeErrorCode(e), `cannot write '${this.opts.name}' (${code ?? String(e)})`, {
      cause: e,
    });
  }
}
