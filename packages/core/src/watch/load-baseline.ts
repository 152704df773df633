// The `loadBaseline` verb: the signed state a watch compares a deployed directory against, from any
// model source. For a model on disk its signature file (default MODEL/model.sig) is verified; for an
// artifact (registry or `oci:LAYOUT`) its OMS signature referrer is verified and bound to its layers
// exactly as `verify REF` does. Either way the signed manifest becomes what each file must hash to.
import { resolveModelSource } from '../source/resolve-model-source.js';
import path from 'node:path';
import { verify } from '../verify/verify.js';
import { ModelsealError } from '../errors.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import { parseBundle } from '../oms/parse-bundle.js';
import { MAX_BUNDLE_BYTES } from '../oms/read-bundle-file.js';
import { DEFAULT_SIGNATURE_NAME, defaultSignaturePath } from '../oms/signature-path.js';
import { parseStatement } from '../oms/statement.js';
import { readInputFile } from '../read-input-file.js';
import type { ModelSource } from '../source/open-model-source.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { baselineOf, type Baseline } from './model-baseline.js';

/** Options of loadBaseline. */
export interface LoadBaselineOptions extends OpenTargetOptions {
  /** How to trust the signature (key, certificate, keyless or policy verifier). */
  verifier: BundleVerifier;
  /** Model on disk only: the signature file (default MODEL/model.sig, MODEL.sig for a file). USAGE with an artifact. */
  signaturePath?: string;
  /**
   * The directory the baseline describes: default the model on disk itself; required for an
   * artifact (the deployed copy to watch; a file named model.sig in it is left out, as a signed
   * directory's is). USAGE when missing for an artifact.
   */
  directory?: string;
}

/**
 * Verify the signature of `source` (a ModelSource, or a string opened with openModelSource: a missing
 * path is NOT_FOUND and contacts nothing; an ArtifactSource's own options are used under `options`)
 * and build the baseline of `options.directory`. Throws USAGE (a missing `directory` for an artifact,
 * `signaturePath` with one), NOT_FOUND, what parseBundle and the verifier throw (MALFORMED_BUNDLE,
 * BAD_SIGNATURE, WRONG_KEY, IDENTITY_MISMATCH, ...), for an artifact what verifying it throws
 * (SIGNATURE_MISSING, UNSUPPORTED_ARTIFACT, registry errors) and SIGNATURE_MISSING when only a
 * cosign signature verifies (it names no files).
 */
export async function loadBaseline(
  source: ModelSource | string,
  options: LoadBaselineOptions,
): Promise<Baseline> {
  const opened = await resolveModelSource(source, options);
  if (opened.kind === 'directory') {
    const sigPath = path.resolve(options.signaturePath ?? (await defaultSignaturePath(opened.path)));
    const bytes = await readInputFile(sigPath, 'signature', {
      maxBytes: MAX_BUNDLE_BYTES,
      notFound: () => new ModelsealError('NOT_FOUND', `signature '${sigPath}' cannot be read (ENOENT)`),
    });
    const verified = await options.verifier.verify(parseBundle(bytes, sigPath));
    return baselineOf(
      options.directory ?? opened.path,
      sigPath,
      parseStatement(verified.payload, sigPath),
      verified.signer,
    );
  }
  if (options.directory === undefined)
    throw new ModelsealError(
      'USAGE',
      `a baseline from the artifact ${opened.shown} needs directory: the deployed copy it describes`,
    );
  // verify REF's own rule: its options over the source's, signaturePath refused (USAGE)
  const { directory, ...verifyOptions } = options;
  const result = await verify(opened, { ...verifyOptions, requireOms: true });
  if (!result.signed)
    throw new ModelsealError(
      'SIGNATURE_MISSING',
      `${result.reference}@${result.digest} has no OMS signature that verifies: nothing says which files the model holds`,
    );
  const root = path.resolve(directory);
  return baselineOf(root, path.join(root, DEFAULT_SIGNATURE_NAME), result.signed, result.signer);
}
