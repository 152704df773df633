// Shared value types that cross module boundaries (model walking, hashing, OMS, signing, OCI).

/** What must stay the same while a file is hashed. Plain numbers: it crosses worker boundaries. */
export interface FileStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Hash algorithms allowed as OMS `hash_type`. */
export type HashAlgorithm = 'sha256' | 'blake2b' | 'blake3';

/** How a model is serialized into resources. */
export type SerializationMethod = 'files' | 'shards';

/** One regular file of a model, as found by `walkModel`. */
export interface ModelFile {
  /** POSIX path relative to the model root; "." when the model is a single file. */
  name: string;
  /** Absolute path of the bytes to read (for an allowed symlink, the resolved target). */
  path: string;
  size: number;
  /** inode, size, mtime and ctime when walked; hashing fails if they change */
  stamp?: FileStamp;
}

/** The result of walking a model directory or single file. */
export interface ModelTree {
  /** Absolute path of the model (directory or file). */
  root: string;
  /** Basename used as the statement subject name. */
  name: string;
  isFile: boolean;
  /** Files sorted by the UTF-8 bytes of `name`. */
  files: ModelFile[];
  /** Model-relative POSIX paths that were excluded (recorded as OMS `ignore_paths`), sorted. */
  ignorePaths: string[];
  allowSymlinks: boolean;
}

/** One OMS resource: a file or a shard of one. */
export interface Resource {
  /** file name, or `path:start:end` for shards */
  name: string;
  /** `sha256`, `blake2b`, `blake3`, or `<hash>-sharded-<N>` */
  algorithm: string;
  /** lowercase hex */
  digest: string;
}

/** Hashing parameters (the OMS `serialization` block). */
export interface HashingConfig {
  method: SerializationMethod;
  hashType: HashAlgorithm;
  /** bytes per shard; only for `shards` */
  shardSize: number;
}

/** A hashed model: what gets signed and what verification recomputes. */
export interface ModelManifest {
  /** hex SHA-256 over the concatenated raw resource digests, in resource order */
  root: string;
  subjectName: string;
  config: HashingConfig;
  allowSymlinks: boolean;
  ignorePaths: string[];
  resources: Resource[];
}

/** Progress of a long operation, for progress bars. */
export interface Progress {
  bytesDone: number;
  bytesTotal: number;
  /** optional current item (file name, layer digest) */
  item?: string;
}

/** Receives progress reports (bytes and files done and total). */
export type ProgressListener = (p: Progress) => void;
