// Check the signature of every listed bundle with one verifier: those that verify become
// VerifiedEvidence (to be bound next), those that do not become failures of the check they would
// have served. Input errors (a bundle that does not parse, a registry error) are thrown.
import { ModelsealError } from '../errors.js';
import type { VerificationFailure } from '../policy/evidence.js';
import { parseBundle } from '../verify/parse-bundle.js';
import type { BundleVerifier } from '../verify/verifier.js';
import type { VerifiedEvidence } from './bind-evidence.js';
import { claimedPredicateType, policyCheckFor } from './evidence-kind.js';

/** A bundle as a source lists it: where it came from and its bytes. */
export interface ListedBundle {
  source: string;
  bytes: Buffer;
}

/** verifyBundles' result: the bundles that verified, and the failures of those that did not. */
export interface VerifiedBundles {
  verified: VerifiedEvidence[];
  failures: VerificationFailure[];
}

/**
 * Verify each bundle with `verifier`. Throws MALFORMED_BUNDLE for a bundle that does not parse and
 * any non-verification error; a verification error (BAD_SIGNATURE, WRONG_KEY, IDENTITY_MISMATCH...)
 * becomes a failure of the check the bundle's claimed predicateType serves.
 */
export async function verifyBundles(
  listed: readonly ListedBundle[],
  verifier: BundleVerifier,
): Promise<VerifiedBundles> {
  const out: VerifiedBundles = { verified: [], failures: [] };
  for (const { source, bytes } of listed) {
    const bundle = parseBundle(bytes, source);
    try {
      const v = await verifier.verify(bundle);
      out.verified.push({ source, bytes, payload: v.payload, signer: v.signer, warnings: v.warnings });
    } catch (e) {
      if (!(e instanceof ModelsealError) || e.kind !== 'verification') throw e;
      out.failures.push({
        check: policyCheckFor(claimedPredicateType(bundle.envelope.payload)),
        code: e.code,
        message: e.message,
      });
    }
  }
  out.failures.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  return out;
}
