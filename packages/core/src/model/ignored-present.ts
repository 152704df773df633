// Paths that verify leaves out but that exist in the model directory (top-level .git, .gitattributes,
// .github, .gitignore, and the signature's recorded ignore_paths; not the default model.sig, which is
// a signature by convention): no signature covers them, so a
// model server or a `git status` there may still act on them. verify reports them (issue 14 #1).
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { ModelsealError } from '../errors.js';
import { GIT_PATHS, PULL_MARKER } from './ignore-rules.js';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';

/** The candidate paths (model-relative, POSIX) that exist below `modelDir`, sorted. */
export async function presentIgnoredPaths(
  modelDir: string,
  candidates: readonly string[],
  signaturePath: string,
): Promise<string[]> {
  const own = path.relative(path.resolve(modelDir), signaturePath).split(path.sep).join('/');
  const found: string[] = [];
  for (const rel of new Set([...GIT_PATHS, ...candidates])) {
    if (
      rel === own ||
      rel === DEFAULT_SIGNATURE_NAME ||
      rel === PULL_MARKER ||
      rel === '.' ||
      rel.startsWith('../')
    )
      continue;
    try {
      await lstat(path.join(modelDir, ...rel.split('/')));
      found.push(rel);
    } catch {
      /* absent */
    }
  }
  return found.sort();
}

/** The `--strict` failure for ignored paths that exist. */
export function ignoredPathsError(modelDir: string, paths: string[]): ModelsealError {
  return new ModelsealError(
    'IGNORED_PATH',
    `${modelDir}: ${paths.map((p) => `'${p}'`).join(', ')} ${paths.length === 1 ? 'exists' : 'exist'} but no signature covers ${paths.length === 1 ? 'it' : 'them'} (verify ignores ${paths.length === 1 ? 'it' : 'them'}); remove ${paths.length === 1 ? 'it' : 'them'} or verify with strict off`,
    { details: { paths } },
  );
}
