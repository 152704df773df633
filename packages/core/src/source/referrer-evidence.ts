// The evidence stored with an artifact (registry or OCI layout): every Sigstore bundle referrer of
// its manifest, verified with one verifier, then bound to the artifact (bindEvidence) against the
// file set its layers give. No layer is downloaded.
import { bundleReferrers, type SkippedReferrer } from './oci-referrers.js';
import type { PullPlan } from '../oci/pull/pull-plan.js';
import type { ReadOnlyTarget } from '../oci/target.js';
import type { PolicyEvidence, UnboundEvidence } from './evidence.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { bindEvidence, type BoundEvidence } from './bind-evidence.js';
import { evidenceKind } from './evidence-kind.js';
import { layerFileSet, type FileSet } from './file-set.js';
import { policyEvidenceOf } from './policy-evidence.js';
import { verifyBundles, type VerifiedBundles } from './verify-bundles.js';

/** Evidence of an artifact: what verified, what bound, the policy's view of it, and what could not be read. */
export interface ReferrerEvidence extends VerifiedBundles {
  bound: BoundEvidence;
  evidence: PolicyEvidence;
  /** Referrers left out because they could not be read (warnings). */
  skipped: SkippedReferrer[];
}

/**
 * Verify and bind every bundle referrer of `plan.descriptor` in `target`. `files` defaults to the
 * layers' file set (an archive layer leaves OMS signatures unbound with UNSUPPORTED_ARTIFACT until
 * the files are compared after download: call rebindEvidence then). Throws input errors.
 */
export async function gatherReferrerEvidence(
  target: ReadOnlyTarget,
  plan: Pick<PullPlan, 'descriptor' | 'selected'>,
  shown: string,
  verifier: BundleVerifier,
  files: FileSet = layerFileSet(plan, shown),
): Promise<ReferrerEvidence> {
  const { bundles, skipped } = await bundleReferrers(target, plan.descriptor);
  const listed = bundles.map((b) => ({
    source: `${shown}@${b.referrer.digest}`,
    bytes: b.bytes,
    ...(b.predicateType !== undefined ? { predicateType: b.predicateType } : {}),
  }));
  const checked = await verifyBundles(listed, verifier);
  // a referrer that could not even be fetched is unreadable evidence too (and a warning)
  const unreadable = [
    ...checked.unreadable,
    ...skipped.map((x): UnboundEvidence => ({
      source: `${shown}@${x.digest}`,
      kind: evidenceKind(x.predicateType),
      ...(x.predicateType !== undefined ? { predicateType: x.predicateType } : {}),
      code: x.code,
      reason: x.message,
    })),
  ];
  return rebindEvidence(
    { ...checked, unreadable, skipped },
    { shown, manifestDigest: plan.descriptor.digest, files },
  );
}

/**
 * Bind verified bundles to `subject` (again, e.g. against the staged files of a pull); the bundles
 * that could not be read join the unbound list. Throws what bindEvidence throws.
 */
export async function rebindEvidence(
  checked: VerifiedBundles & Partial<Pick<ReferrerEvidence, 'skipped'>>,
  subject: Parameters<typeof bindEvidence>[0],
): Promise<ReferrerEvidence> {
  const verified = await bindEvidence(subject, checked.verified);
  const unbound = [...verified.unbound, ...checked.unreadable].sort((a, b) =>
    a.source < b.source ? -1 : a.source > b.source ? 1 : 0,
  );
  const bound = { ...verified, unbound };
  return {
    ...checked,
    skipped: checked.skipped ?? [],
    bound,
    evidence: policyEvidenceOf(bound, checked.failures),
  };
}
