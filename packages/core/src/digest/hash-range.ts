// Hash one byte range of one file with synchronous big reads into a caller-owned buffer.
// Runs inside the hashing workers (and on the main thread for tiny jobs); never buffers a file.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import type { HashAlgorithm } from '../types.js';
import { stampChange, stampOf, type FileStamp } from './file-stamp.js';
import { createHasher, digestOnce } from './hasher.js';

/** Bytes per read. Large sequential reads keep syscall overhead negligible next to hashing. */
export const READ_SIZE = 1 << 21;

/** One unit of hashing work: the bytes `[start, end)` of the file at `path`. */
export interface HashItem {
  /** absolute path to read */
  path: string;
  /** the model-relative name, for error messages */
  name: string;
  start: number;
  end: number;
  alg: HashAlgorithm;
  /** the file's size when walked: a range ending there must still end there (no growth) */
  expectSize?: number;
  /** the file as the walk saw it: it must still be the same when opened and after hashing */
  stamp?: FileStamp;
}

/** Never follow a symlink at open time: the walk already resolved the links it allowed. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/** Reason a range could not be hashed; carried across the worker boundary as plain data. */
export interface HashFailure {
  code: 'NOT_FOUND' | 'UNREADABLE';
  message: string;
}

/** Turn a filesystem error while hashing `name` into a one-line failure. */
export function describeReadError(name: string, e: unknown): HashFailure {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return { code: 'NOT_FOUND', message: `file '${name}' vanished while hashing` };
  if (err?.code === 'EACCES' || err?.code === 'EPERM') {
    return { code: 'UNREADABLE', message: `cannot read '${name}': permission denied` };
  }
  if (err?.code === 'ELOOP')
    return { code: 'UNREADABLE', message: `file '${name}' was replaced by a symlink while hashing` };
  if (err?.code === 'EISDIR')
    return { code: 'UNREADABLE', message: `cannot read '${name}': it is a directory` };
  const detail = err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
  return { code: 'UNREADABLE', message: `cannot read '${name}': ${detail}` };
}

/** A failure found while hashing (raised by `hashRangeSync`, already described). */
export class HashRangeError extends Error {
  constructor(readonly failure: HashFailure) {
    super(failure.message);
  }
}

/**
 * Hash `[item.start, item.end)` of `item.path`, reading `buf.length` bytes at a time.
 * `onBytes` is told how many bytes each read hashed (for progress).
 */
export function hashRangeSync(item: HashItem, buf: Buffer, onBytes?: (n: number) => void): Buffer {
  let fd: number;
  try {
    fd = openSync(item.path, OPEN_FLAGS);
  } catch (e) {
    throw new HashRangeError(describeReadError(item.name, e));
  }
  try {
    const opened = fstatSync(fd);
    if (opened.isDirectory())
      throw new HashRangeError({
        code: 'UNREADABLE',
        message: `cannot read '${item.name}': it is a directory`,
      });
    const before = stampOf(opened);
    const listed = item.stamp && stampChange(item.stamp, before);
    if (listed === 'size')
      throw new HashRangeError({
        code: 'UNREADABLE',
        message: `file '${item.name}' changed since it was listed: it is ${before.size} bytes, it was ${item.stamp?.size}`,
      });
    if (listed) throw changed(item.name, listed, 'since it was listed');
    const digest = hashOpenRange(fd, item, buf, onBytes);
    const during = stampChange(before, stampOf(fstatSync(fd)));
    if (during) throw changed(item.name, during, 'while hashing');
    return digest;
  } catch (e) {
    if (e instanceof HashRangeError) throw e;
    throw new HashRangeError(describeReadError(item.name, e));
  } finally {
    closeSync(fd);
  }
}

const FIELD: Record<keyof FileStamp, string> = {
  dev: 'device',
  ino: 'inode',
  size: 'size',
  mtimeMs: 'modification time',
  ctimeMs: 'change time',
};

function changed(name: string, field: keyof FileStamp, when: string): HashRangeError {
  return new HashRangeError({
    code: 'UNREADABLE',
    message: `file '${name}' changed ${when} (its ${FIELD[field]} changed); hash again once nothing writes to it`,
  });
}

function hashOpenRange(fd: number, item: HashItem, buf: Buffer, onBytes?: (n: number) => void): Buffer {
  // When the range ends at the file's expected end, ask for one byte more: a short read then
  // proves EOF (no fstat), and getting that extra byte proves the file grew.
  const probe = item.expectSize !== undefined && item.end === item.expectSize;
  const limit = probe ? item.end + 1 : item.end;
  // Small ranges that fit the buffer take one read and a one-shot digest (most small files).
  const single = limit - item.start <= buf.length;
  const h = single ? undefined : createHasher(item.alg);
  let pos = item.start;
  while (pos < limit) {
    const off = single ? pos - item.start : 0;
    const want = single ? limit - pos : Math.min(buf.length, limit - pos);
    let n: number;
    try {
      n = readSync(fd, buf, off, want, pos);
    } catch (e) {
      throw new HashRangeError(describeReadError(item.name, e));
    }
    if (n > item.end - pos) {
      throw new HashRangeError({
        code: 'UNREADABLE',
        message: `file '${item.name}' changed while hashing: it grew beyond ${item.end} bytes`,
      });
    }
    if (n === 0) {
      if (pos === item.end) break; // EOF exactly where expected
      throw new HashRangeError({
        code: 'UNREADABLE',
        message: `file '${item.name}' changed while hashing: it ended at byte ${pos}, expected ${item.end}`,
      });
    }
    h?.update(n === buf.length ? buf : buf.subarray(0, n));
    pos += n;
    onBytes?.(n);
    if (n < want && pos === item.end) break; // a short read at the expected end is EOF
  }
  if (h) return h.digest();
  return digestOnce(item.alg, buf.subarray(0, item.end - item.start));
}
