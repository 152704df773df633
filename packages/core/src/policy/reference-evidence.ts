// Evidence for an OCI artifact without downloading its weights (`verify REF --policy`, e.g. for a
// model mounted as an image volume): the bundle referrers verified with the policy's identities and
// bound to the artifact (source/bindEvidence: an OMS signature must list exactly the layers' files;
// attestations must name the manifest digest or a bound OMS root). With `scan`, the weight files are
// fetched with digest checks and scanned.
import { planPull } from '../oci/pull/pull-plan.js';
import { openSource, type OpenTargetOptions } from '../oci/open-target.js';
import { scan } from '../scan/scan-model.js';
import { gatherReferrerEvidence } from '../source/referrer-evidence.js';
import type { BundleVerifier } from '../verify/verifier.js';
import type { PolicyEvidence } from '../source/evidence.js';
import { evidenceFromScan } from './scan-evidence.js';

/** Options of gatherReferenceEvidence. */
export interface ReferenceEvidenceOptions extends OpenTargetOptions {
  verifier: BundleVerifier;
  /** Fetch (digest-checked) and scan the weight files; needed by a `weights` block. Default false. */
  scan?: boolean;
}

/**
 * Resolve `ref` once and gather its bound evidence; returns it with the pinned digest. Throws input
 * errors (NOT_FOUND, registry errors, UNSUPPORTED_ARTIFACT for an index or an unnamed layer,
 * UNSAFE_PATH for two layers claiming one path, IGNORED_PATH for a layer at a path verify ignores).
 * An archive layer leaves every OMS signature unbound (UNSUPPORTED_ARTIFACT): its files cannot be
 * compared without download.
 */
export async function gatherReferenceEvidence(
  ref: string,
  opts: ReferenceEvidenceOptions,
): Promise<{ evidence: PolicyEvidence; digest: string; shown: string }> {
  const { target, selector, shown } = openSource(ref, opts);
  const plan = await planPull(target, selector, shown, undefined, 'refuse');
  const { evidence } = await gatherReferrerEvidence(target, plan, shown, opts.verifier);
  if (opts.scan)
    Object.assign(evidence, evidenceFromScan(await scan(target, { reference: plan.descriptor.digest })));
  return { evidence, digest: plan.descriptor.digest, shown };
}
