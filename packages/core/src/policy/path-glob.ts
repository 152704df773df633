// Globs of a policy that name model files (`weights.allowUnknown`): anchored to the whole
// model-relative POSIX path (minimatch, no basename matching), so `tokenizer.model` names that file at
// the top and nothing else. A glob must name files: its last segment needs a literal character, so
// `*` or `**/*` (every file) is refused rather than silently switching the check off.
import { lazyModule } from '../lazy-module.js';

const minimatch = lazyModule<typeof import('minimatch')>('minimatch');

/** Why `glob` cannot name model files, or undefined when it can. */
export function pathGlobError(glob: string): string | undefined {
  if (glob.startsWith('/')) return 'must be relative to the model directory (no leading /)';
  if (glob.includes('\\')) return 'uses / between path segments, not \\';
  const segments = glob.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    return 'has an empty, "." or ".." path segment';
  if (/^[*?]*$/.test(segments[segments.length - 1]))
    return 'matches any file name; name the files (e.g. "tokenizer.model" or "*.model")';
  if (new (minimatch().Minimatch)(glob, { dot: true }).makeRe() === false) return 'is not a valid glob';
  return undefined;
}

/**
 * A test of model-relative POSIX paths against `globs` (each already accepted by pathGlobError): true
 * when one glob matches the whole path. Case-sensitive; `*` does not cross `/`, `**` does.
 */
export function pathGlobMatcher(globs: readonly string[]): (path: string) => boolean {
  const ms = globs.map((g) => new (minimatch().Minimatch)(g, { dot: true }));
  return (path) => ms.some((m) => m.match(path));
}
