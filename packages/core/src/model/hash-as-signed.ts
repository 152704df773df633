// A model on disk walked and hashed as a signature records it (ignore_paths, allow_symlinks,
// method, hash type, shard size), so its files can be compared with the signed manifest. Shared by
// verifyModel and the directory file set bindEvidence uses.
import { ModelsealError } from '../errors.js';
import { hashFiles } from '../digest/hash-files.js';
import { compareManifest } from '../oms/compare-manifest.js';
import { manifestFiles, type SignedManifest } from '../oms/statement.js';
import type { ProgressListener, Resource } from '../types.js';
import { walkModel } from './walk-model.js';

/** How to walk and hash a model on disk beside what the signature records. */
export interface SignedWalkOptions {
  /** The signature file, left out of the walk (absolute). */
  signaturePath: string;
  /** Extra paths to leave out, on top of the signed ignore_paths. */
  ignorePaths?: string[];
  /** For signatures that do not record ignore_paths: also leave out the git paths. Default true. */
  ignoreGitPaths?: boolean;
  /** Hash only the signed files (files on disk the signature does not list are allowed). */
  ignoreUnsignedFiles?: boolean;
  jobs?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** The signed files and every directory above them: all a walk needs to see with ignoreUnsignedFiles. */
function signedPaths(files: string[]): { file: (rel: string) => boolean; dir: (rel: string) => boolean } {
  const fileSet = new Set(files);
  const dirSet = new Set<string>();
  for (const f of files)
    for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) dirSet.add(f.slice(0, i));
  return { file: (rel) => fileSet.has(rel), dir: (rel) => dirSet.has(rel) };
}

/**
 * Walk and hash `modelPath` as `manifest` says. Returns the files (`actual`), the manifest to compare
 * them with (`expected`: a single-file model named '.' by model_signing or by its basename by the
 * spec is accepted both ways) and whether the model is a single file. A model with no files at all
 * is MISSING_FILE (a verification failure, not bad input); throws the walk's input errors.
 */
export async function hashAsSigned(
  modelPath: string,
  manifest: SignedManifest,
  opts: SignedWalkOptions,
): Promise<{ expected: SignedManifest; actual: Resource[]; isFile: boolean }> {
  const tree = await walkModel(modelPath, {
    ignorePaths: [...manifest.ignorePaths, ...(opts.ignorePaths ?? [])],
    ignoreGitPaths: manifest.ignorePathsRecorded ? false : (opts.ignoreGitPaths ?? true),
    allowSymlinks: manifest.allowSymlinks,
    signaturePath: opts.signaturePath,
    ...(opts.ignoreUnsignedFiles ? { only: signedPaths(manifestFiles(manifest)) } : {}),
  }).catch((e: unknown) => {
    // A model whose files are all gone is a verification failure, not bad input.
    if (e instanceof ModelsealError && e.code === 'EMPTY_MODEL') compareManifest(manifest, []);
    throw e;
  });
  let expected = manifest;
  if (
    tree.isFile &&
    manifest.config.method === 'files' &&
    manifest.resources.length === 1 &&
    manifest.resources[0].name === tree.name
  ) {
    expected = { ...manifest, resources: [{ ...manifest.resources[0], name: '.' }] };
  }
  const wanted = new Set(manifestFiles(expected));
  const actual = await hashFiles(tree, {
    config: manifest.config,
    jobs: opts.jobs,
    onProgress: opts.onProgress,
    filter: opts.ignoreUnsignedFiles ? (name) => wanted.has(name) : undefined,
    signal: opts.signal,
  });
  return { expected, actual, isFile: tree.isFile };
}
