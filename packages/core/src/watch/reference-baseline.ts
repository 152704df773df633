// The signed state of a watch taken from an OCI artifact instead of a signature file: the OMS
// signature referrer of REF (registry or `oci:LAYOUT`) is verified with any BundleVerifier, exactly
// as `verify REF` does, and becomes what the deployed directory must keep matching.
import path from 'node:path';
import { verifyArtifact } from '../attest/verify-artifact.js';
import { ModelsealError } from '../errors.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { BundleVerifier } from '../verify/verifier.js';
import { baselineOf, type Baseline } from './model-baseline.js';

/**
 * Verify the OMS signature attached to `ref` and build the baseline of `root` from it (a file named
 * model.sig in `root` is left out of the comparison, as a signed directory's is). Throws what
 * verifyArtifact throws (NOT_FOUND, SIGNATURE_MISSING, BAD_SIGNATURE, IDENTITY_MISMATCH, registry
 * errors), and SIGNATURE_MISSING when only a cosign signature verifies (it names no files).
 */
export async function loadReferenceBaseline(
  root: string,
  ref: string,
  verifier: BundleVerifier,
  opts: OpenTargetOptions = {},
): Promise<Baseline> {
  const result = await verifyArtifact(ref, { ...opts, verifier, requireOms: true });
  if (!result.signed)
    throw new ModelsealError(
      'SIGNATURE_MISSING',
      `${result.reference}@${result.digest} has no OMS signature that verifies: nothing says which files the model holds`,
    );
  return baselineOf(root, path.join(path.resolve(root), 'model.sig'), result.signed, result.signer);
}
