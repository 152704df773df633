// createModelWriter: write a model directory file by file while hashing every byte on its way to
// disk, then sign it from those digests without reading the files again. Files written some
// other way (or changed after they were written) are hashed at finish, so the signature always
// covers what is on disk, exactly as `hashModel` would see it.
import path from 'node:path';
import type { Writable } from 'node:stream';
import { ModelsealError } from '../errors.js';
import { hashingConfigFrom } from '../model/hash-model.js';
import { KnownDigests } from '../follow/known-digests.js';
import { sealModel, type SealModelResult } from '../follow/seal-model.js';
import { unsafePathReason } from '../oci/pull/safe-path.js';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';
import type { BundleSigner } from '../sign/signer.js';
import type { HashAlgorithm, SerializationMethod } from '../types.js';
import { HashingFileStream, type WrittenFile } from './hashing-file-stream.js';

/**
 * Options of createModelWriter(): the OMS hashing config (default files + sha256; shards of 1 GB),
 * what the walk at finish leaves out, and whether each file is fsynced before its rename.
 */
export interface ModelWriterOptions {
  method?: SerializationMethod;
  hashType?: HashAlgorithm;
  /** bytes per shard with `method: 'shards'` (default 1_000_000_000) */
  shardSize?: number;
  /** model-relative or absolute paths left out of the signature (recorded as ignore_paths) */
  ignorePaths?: string[];
  /** default true */
  ignoreGitPaths?: boolean;
  /** default false */
  allowSymlinks?: boolean;
  /** signature path (default DIR/model.sig); left out of the model */
  signaturePath?: string;
  /** fsync each file before it is renamed into place (default false) */
  fsync?: boolean;
  /** hashing threads for files not written through the writer (default: CPU count) */
  jobs?: number;
}

/** Options of ModelWriter.finish(): the signer, and whether an existing signature may be replaced. */
export interface ModelWriterFinishOptions {
  signer: BundleSigner;
  /** replace an existing signature (default false: DEST_EXISTS) */
  overwrite?: boolean;
  /** files the signature must never replace (keys, certificates) */
  protectedPaths?: readonly string[];
  signal?: AbortSignal;
}

/** A model directory being written; see createModelWriter. */
export interface ModelWriter {
  /** absolute model directory */
  readonly dir: string;
  /**
   * A Writable for the model file `name` (model-relative POSIX path; parent directories are made).
   * Bytes go to a temporary file beside it; `end()` renames it into place. Throws UNSAFE_PATH for
   * an absolute name, `..`, an empty component or NUL, and USAGE for the signature file's name or
   * a name that already has an open stream. A write error destroys the stream and removes the
   * temporary file.
   */
  file(name: string): Writable;
  /** Names written through the writer so far, with their sizes. */
  written(): ReadonlyMap<string, number>;
  /**
   * Sign the model: the files written through the writer by their digests, anything else in the
   * directory hashed now (named in `hashed`). Throws USAGE when a stream is still open, a stream's
   * own error if one failed, and what sealModel throws (DEST_EXISTS, EMPTY_MODEL, BUSY...).
   */
  finish(opts: ModelWriterFinishOptions): Promise<SealModelResult>;
}

/**
 * Start writing a model into `dir` (made on the first file when missing). Throws USAGE for bad
 * hashing options. Nothing is signed until `finish`.
 */
export function createModelWriter(dir: string, opts: ModelWriterOptions = {}): ModelWriter {
  const root = path.resolve(dir);
  const known = new KnownDigests(hashingConfigFrom(opts));
  const signaturePath = path.resolve(opts.signaturePath ?? path.join(root, DEFAULT_SIGNATURE_NAME));
  const open = new Map<string, Writable>();
  const pending = new Set<Promise<void>>();
  const failures: Error[] = [];
  const sizes = new Map<string, number>();

  const onWritten = (f: WrittenFile): void => {
    sizes.set(f.name, f.size);
    if (f.stamp) known.set(f.name, f.stamp, f.resources);
  };

  return {
    dir: root,
    file(name: string): Writable {
      const why = unsafePathReason(name);
      if (why !== undefined)
        throw new ModelsealError('UNSAFE_PATH', `cannot write model file ${JSON.stringify(name)}: ${why}`);
      const file = path.join(root, name);
      if (file === signaturePath)
        throw new ModelsealError('USAGE', `'${name}' is the signature path; it cannot be a model file`);
      if (open.has(name)) throw new ModelsealError('USAGE', `model file '${name}' is already being written`);
      const stream = new HashingFileStream({
        name,
        file,
        config: known.config,
        fsync: opts.fsync,
        onWritten,
      });
      open.set(name, stream);
      const done = new Promise<void>((resolve) => {
        stream.once('error', (e) => failures.push(e));
        stream.once('close', () => {
          open.delete(name);
          pending.delete(done);
          resolve();
        });
      });
      pending.add(done);
      return stream;
    },
    written: () => sizes,
    async finish(fin: ModelWriterFinishOptions): Promise<SealModelResult> {
      const unended = [...open].filter(([, s]) => !s.writableEnded).map(([n]) => n);
      if (unended.length > 0)
        throw new ModelsealError(
          'USAGE',
          `model files still being written (call end() first): ${unended.slice(0, 5).join(', ')}`,
        );
      await Promise.all(pending);
      if (failures.length > 0) throw failures[0];
      return sealModel(root, known, {
        signer: fin.signer,
        signaturePath,
        overwrite: fin.overwrite,
        protectedPaths: fin.protectedPaths,
        jobs: opts.jobs,
        signal: fin.signal,
        walk: {
          ignorePaths: opts.ignorePaths,
          ignoreGitPaths: opts.ignoreGitPaths,
          allowSymlinks: opts.allowSymlinks,
        },
      });
    },
  };
}
