// Validation of file paths that come from artifacts (layer annotations, tar entries) before anything
// touches the disk: relative POSIX paths only, no '..', no NUL, no backslashes, no empty or '.' parts,
// and no path that is both a file and a directory of another file.
import { ModelsealError } from '../../errors.js';

function unsafe(path: string, where: string, why: string): ModelsealError {
  return new ModelsealError(
    'UNSAFE_PATH',
    `${where}: refusing path ${JSON.stringify(path.slice(0, 200))}: ${why}`,
    { details: { path, where } },
  );
}

/**
 * Why `path` is not a model-relative POSIX path `pull` would write (empty, NUL, backslash, absolute
 * or drive-letter, longer than 4096 characters, '..', empty or '.' components), or undefined if it
 * is. The one rule for both ends: pull refuses such a layer, push refuses such a file before uploading.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'empty path';
  if (path.includes('\0')) return 'contains NUL';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.length > 4096) return 'longer than 4096 characters';
  for (const part of path.split('/')) {
    if (part === '..') return "contains '..'";
    if (part === '' || part === '.') return "has an empty or '.' component";
  }
  return undefined;
}

/** Return `path` if it is a safe model-relative POSIX path, else throw 'UNSAFE_PATH'. */
export function checkRelativePath(path: unknown, where: string): string {
  if (typeof path !== 'string') throw unsafe('', where, 'empty path');
  const why = unsafePathReason(path);
  if (why !== undefined) throw unsafe(path, where, why);
  return path;
}

/**
 * Tracks every path placed in the staging tree, so that no two entries land on one path, no file
 * sits where another entry needs a directory, and nothing is written beneath a symlink.
 */
export class PathClaims {
  private readonly kinds = new Map<string, 'file' | 'dir' | 'symlink'>();

  has(path: string): boolean {
    return this.kinds.has(path);
  }

  kindOf(path: string): 'file' | 'dir' | 'symlink' | undefined {
    return this.kinds.get(path);
  }

  /** Every path claimed as a symlink, for the final check that each resolves inside the tree. */
  symlinks(): string[] {
    return [...this.kinds].filter(([, k]) => k === 'symlink').map(([p]) => p);
  }

  /** Claim `path` as `kind` (its parents as directories); throws 'UNSAFE_PATH' on any conflict. */
  claim(path: string, kind: 'file' | 'dir' | 'symlink', where: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const k = this.kinds.get(parent);
      if (k === 'file') throw unsafe(path, where, `'${parent}' is a file, not a directory`);
      if (k === 'symlink')
        throw unsafe(path, where, `'${parent}' is a symlink; refusing to write through it`);
    }
    const existing = this.kinds.get(path);
    if (existing !== undefined) {
      if (existing === 'dir' && kind === 'dir') return;
      throw unsafe(path, where, existing === 'dir' ? 'is a directory of other files' : 'appears twice');
    }
    for (let i = 1; i < parts.length; i++) this.kinds.set(parts.slice(0, i).join('/'), 'dir');
    this.kinds.set(path, kind);
  }
}
