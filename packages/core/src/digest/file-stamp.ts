// A file's identity and last-change marks (inode, size, mtime, ctime). Taken when the walk lists a
// file and again before and after each hashed range: any difference means the bytes hashed may
// not be the bytes on disk (an in-place write keeps the size but moves mtime and ctime).
import type { Stats } from 'node:fs';
import type { FileStamp } from '../types.js';

export function stampOf(s: Stats): FileStamp {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}

/** The first field that differs between two stamps, or undefined when they are the same. */
export function stampChange(a: FileStamp, b: FileStamp): keyof FileStamp | undefined {
  for (const k of ['ino', 'dev', 'size', 'mtimeMs', 'ctimeMs'] as const) if (a[k] !== b[k]) return k;
  return undefined;
}
