// The files of a model on disk as a signature sees them, as a FileSet for bindEvidence: hashed as
// each signature says (see hashAsSigned), named as that signature names them.
import { compareManifest } from '../oms/compare-manifest.js';
import { hashAsSigned, type SignedWalkOptions } from '../model/hash-as-signed.js';
import { ignoredPathsError, presentIgnoredPaths } from '../model/ignored-present.js';
import type { FileSet } from './file-set.js';

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
