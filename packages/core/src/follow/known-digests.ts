// The digests already known for a model's files, each tied to the stamp (inode, size, mtime,
// ctime) the file had when its bytes were hashed: a file whose stamp moved is unknown again.
// Filled by the model writer (hashed while written) and the directory follower (hashed on close).
import { stampChange } from '../digest/file-stamp.js';
import type { FileStamp } from '../types.js';
import type { HashingConfig, Resource } from '../types.js';

interface KnownFile {
  stamp: FileStamp;
  /** the file's resources: one for `files`, one per shard for `shards`, in offset order */
  resources: Resource[];
}

/** File name -> (stamp, resources). Only a lookup with the same stamp returns the resources. */
export class KnownDigests {
  private readonly files = new Map<string, KnownFile>();

  /** `config` is the hashing config every stored resource was made with. */
  constructor(readonly config: HashingConfig) {}

  /** The resources of `name` when they were hashed from a file with exactly this stamp. */
  get(name: string, stamp: FileStamp | undefined): Resource[] | undefined {
    const known = this.files.get(name);
    if (!known || !stamp || stampChange(known.stamp, stamp)) return undefined;
    return known.resources;
  }

  /** Record that `name`, with `stamp`, hashed to `resources`. */
  set(name: string, stamp: FileStamp, resources: Resource[]): void {
    this.files.set(name, { stamp, resources });
  }

  /** Names with a recorded digest. */
  names(): string[] {
    return [...this.files.keys()];
  }
}
