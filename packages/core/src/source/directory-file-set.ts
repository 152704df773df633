// The files of a model on disk as a signature sees them: walked and hashed with the settings the
// signature records (ignore_paths, allow_symlinks, method, hash type, shard size), so they can be
// compared with its manifest. Shared by verifyModel and the directory file set bindEvidence uses.
import { ModelsealError } from '../errors.js';
import { hashFiles } from '../digest/hash-files.js';
import { walkModel } from '../model/walk-model.js';
import { compareManifest } from '../oms/compare-manifest.js';
import { manifestFiles, type SignedManifest } from '../oms/statement.js';
import type { ProgressListener, Resource } from '../types.js';
import { ignoredPathsError, presentIgnoredPaths } from '../verify/ignored-present.js';
import type { FileSet } from './file-set.js';

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

/**
 * The file set of a model on disk, for bindEvidence: its files hashed as each signature says, named
 * as that signature names them. With `strict`, paths verify leaves out that exist (.git, ...) make
 * the signature unbound with IGNORED_PATH. Throws the walk's input errors.
 */
export function directoryFileSet(
  modelPath: string,
  opts: Omit<SignedWalkOptions, 'ignoreUnsignedFiles'> & { strict?: boolean },
): FileSet {
  return async (signed) => {
    const { expected, actual, isFile } = await hashAsSigned(modelPath, signed, opts);
    if (opts.strict && !isFile) {
      const ignored = await presentIgnoredPaths(modelPath, signed.ignorePaths, opts.signaturePath);
      if (ignored.length > 0) {
        compareManifest(expected, actual); // a mismatch is the first thing to say
        throw ignoredPathsError(modelPath, ignored);
      }
    }
    return expected === signed ? actual : actual.map((r) => ({ ...r, name: signed.resources[0].name }));
  };
}
