// Paths a pull never writes: the ones `verify DIR` leaves out by default (top-level `.git`,
// `.gitattributes`, `.github`, `.gitignore`, the default signature `model.sig`, and the pull's own
// completion marker). No signature covers them, so writing them would put unsigned files that pass
// verification next to the model (a `.git/config` with `core.fsmonitor` runs on the next `git status`).
import { GIT_PATHS, PULL_MARKER } from '../../model/ignore-rules.js';
import { DEFAULT_SIGNATURE_NAME } from '../../oms/signature-path.js';

const TOP_LEVEL: ReadonlySet<string> = new Set([...GIT_PATHS, DEFAULT_SIGNATURE_NAME, PULL_MARKER]);

/** Whether verify would ignore the model-relative POSIX `path` (or a directory above it). */
export function ignoredByVerify(path: string): boolean {
  return TOP_LEVEL.has(path.split('/')[0] ?? path);
}

/** What pull does with such paths: leave them out with a warning (default), or refuse the artifact. */
export type IgnoredPathPolicy = 'skip' | 'refuse';
