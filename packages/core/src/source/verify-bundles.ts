// Check the signature of every listed bundle with one verifier: those that verify become
// VerifiedEvidence (to be bound next), those that do not become failures of the check they would
// have served, and those that cannot even be read (not a bundle, an unknown media type) become
// unbound evidence with their code — anyone who can push a referrer can push junk, so junk must
// never stop the verdict that rests on the evidence that does parse. Other errors are thrown.
import { ModelsealError, type ErrorCode } from '../errors.js';
import type { UnboundEvidence, VerificationFailure } from './evidence.js';
import { parseBundle } from '../oms/parse-bundle.js';
import type { BundleVerifier } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import type { VerifiedEvidence } from './bind-evidence.js';
import { claimedPredicateType, evidenceKind, policyCheckFor } from './evidence-kind.js';

/** A bundle as a source lists it: where it came from, its bytes, and the predicateType it is filed under. */
export interface ListedBundle {
  source: string;
  bytes: Buffer;
  /** The predicateType annotation of its referrer, when it has one (unverified: used only to route errors). */
  predicateType?: string;
}

/** verifyBundles' result: the bundles that verified, the failures of those that did not, the unreadable ones. */
export interface VerifiedBundles {
  verified: VerifiedEvidence[];
  failures: VerificationFailure[];
  /** Bundles that do not parse (MALFORMED_BUNDLE, UNSUPPORTED_MEDIA_TYPE, BUNDLE_TOO_LARGE): never used. */
  unreadable: UnboundEvidence[];
}

/** Codes that describe the bundle's own bytes (what a pusher controls), not this machine or a service. */
const UNREADABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'MALFORMED_BUNDLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'BUNDLE_TOO_LARGE',
]);
const isUnreadable = (e: unknown): e is ModelsealError =>
  e instanceof ModelsealError && UNREADABLE_CODES.has(e.code);

const bySource = <T extends { source: string }>(a: T, b: T) =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : 0;

/**
 * Verify each bundle with `verifier`. A bundle that does not parse (MALFORMED_BUNDLE...) is returned
 * in `unreadable` and a failure of the check it claims to serve; a verification error (BAD_SIGNATURE,
 * WRONG_KEY, IDENTITY_MISMATCH...) becomes a failure of the check its claimed predicateType serves.
 * Throws any other error (trust root, Sigstore service...). The result does not depend on input order.
 */
export async function verifyBundles(
  listed: readonly ListedBundle[],
  verifier: BundleVerifier,
): Promise<VerifiedBundles> {
  const out: VerifiedBundles = { verified: [], failures: [], unreadable: [] };
  for (const { source, bytes, predicateType } of listed) {
    let bundle: ParsedBundle | undefined;
    try {
      bundle = parseBundle(bytes, source);
      const v = await verifier.verify(bundle);
      out.verified.push({ source, bytes, payload: v.payload, signer: v.signer, warnings: v.warnings });
    } catch (e) {
      const claimed = predicateType ?? (bundle ? claimedPredicateType(bundle.envelope.payload) : undefined);
      if (isUnreadable(e)) {
        if (out.unreadable.some((u) => u.source === source)) continue;
        out.unreadable.push({
          source,
          kind: evidenceKind(claimed),
          ...(claimed !== undefined ? { predicateType: claimed } : {}),
          code: e.code,
          reason: e.message.startsWith(source) ? e.message : `${source}: ${e.message}`,
        });
        continue;
      }
      if (!(e instanceof ModelsealError) || e.kind !== 'verification') throw e;
      out.failures.push({ check: policyCheckFor(claimed), code: e.code, message: e.message });
    }
  }
  out.failures.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  out.unreadable.sort(bySource);
  return out;
}
