// Which model-relative paths a walk leaves out: the top-level git entries, user ignore paths
// (model-relative or absolute; outside the model dropped) and the signature file.
import path from 'node:path';
import { compareUtf8 } from '../digest/root-digest.js';

/** Ignored by default, at the top level of the model only (as the Python CLI does). */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

/**
 * The completion marker `pull` writes last into an existing (empty, mounted) destination directory;
 * readers wait for it. Walks of a directory leave it out, like the default signature file.
 */
export const PULL_MARKER = '.modelseal-complete';

/** Turn a native relative path into the POSIX form used for resource names. */
export function toPosix(rel: string): string {
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

/**
 * Model-relative POSIX form of `p` (absolute, or relative to `base`), or null when it lies
 * outside the model. `roots` are the absolute spellings of the model root (as given, and resolved).
 */
export function modelRelative(p: string, base: string, roots: readonly string[]): string | null {
  const abs = path.resolve(base, p);
  for (const root of roots) {
    const rel = path.relative(root, abs);
    if (rel === '') return '.';
    if (rel.startsWith('..' + path.sep) || rel === '..' || path.isAbsolute(rel)) continue;
    return toPosix(rel);
  }
  return null;
}

/** A set of component-prefix ignore rules. Walks test each path as they descend. */
export class IgnoreRules {
  private readonly rules = new Set<string>();
  private readonly unrecorded = new Set<string>();

  /** Ignore `rel`; `record: false` leaves it out of `list()` (an implicit default, not a choice). */
  add(rel: string, opts: { record?: boolean } = {}): void {
    this.rules.add(rel);
    if (opts.record === false) this.unrecorded.add(rel);
    else this.unrecorded.delete(rel);
  }

  /** True when `rel` itself is ignored (callers do not descend into ignored directories). */
  has(rel: string): boolean {
    return this.rules.has(rel) || this.rules.has('.');
  }

  /** The recorded list (OMS `ignore_paths`), sorted by UTF-8 bytes. */
  list(): string[] {
    return [...this.rules].filter((r) => !this.unrecorded.has(r)).sort(compareUtf8);
  }
}
