// Ignore paths that match nothing: outside the model (the walk drops them) or naming no file or
// directory in it. Callers warn about them: a mistyped or wrongly rooted ignore path ignores nothing.
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { modelRelative } from './ignore-rules.js';

/** An ignore path that matches nothing, and why. */
export interface UnmatchedIgnorePath {
  /** The path as given. */
  path: string;
  /** `outside-model`: it resolves outside the model; `not-found`: nothing by that name in the model. */
  reason: 'outside-model' | 'not-found';
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The entries of `ignorePaths` (as WalkOptions takes them: relative to the model, or absolute) that
 * match nothing in the model at `modelPath`, in the given order. Never throws: an unreadable or
 * missing model leaves the reporting to the walk.
 */
export function unmatchedIgnorePaths(
  modelPath: string,
  ignorePaths: readonly string[],
): UnmatchedIgnorePath[] {
  const given = path.resolve(modelPath);
  let root = given;
  try {
    root = realpathSync(given);
  } catch {
    // the walk reports a missing model
  }
  const roots = root === given ? [given] : [given, root];
  const out: UnmatchedIgnorePath[] = [];
  for (const p of ignorePaths) {
    const rel = modelRelative(p, root, roots);
    if (rel === null) out.push({ path: p, reason: 'outside-model' });
    else if (rel !== '.' && !exists(path.join(root, rel))) out.push({ path: p, reason: 'not-found' });
  }
  return out;
}
