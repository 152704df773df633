// A policy evaluated against an OCI artifact as it sits in the registry (or a layout): its referrers
// verified with the policy's identities, the OMS signature compared with the layers, and the
// weights scanned only when the policy has a `weights` block. Used by `verify REF --policy` and by
// `watch --policy --ref`, which then watches a deployed copy against the digest that was allowed.
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { evaluatePolicy } from './evaluate-policy.js';
import type { PolicyEvidence } from '../source/evidence.js';
import type { LoadedPolicy } from './load-policy.js';
import { gatherEvidence } from './gather-evidence.js';
import { artifactSource } from '../source/open-model-source.js';
import type { PolicyResult } from './result.js';

/** What evaluateReferencePolicy found: the result, the evidence, and the digest `ref` resolved to. */
export interface ReferencePolicyResult {
  result: PolicyResult;
  evidence: PolicyEvidence;
  /** The manifest digest the evidence is about (pin to it: a tag can move). */
  digest: string;
  /** `ref` as shown in messages. */
  shown: string;
}

/**
 * Resolve `ref` once, gather its evidence with `verifier` (normally policyVerifier(policy)) and
 * evaluate `loaded`. A denial is in the result (see policyFailure), not thrown. Throws input errors:
 * registry errors, NOT_FOUND, malformed referrers.
 */
export async function evaluateReferencePolicy(
  ref: string,
  loaded: LoadedPolicy,
  opts: OpenTargetOptions & { verifier: BundleVerifier },
): Promise<ReferencePolicyResult> {
  const scan = loaded.policy.spec.require.weights !== undefined;
  const { evidence, digest, shown } = await gatherEvidence(artifactSource(ref, opts), { ...opts, scan });
  return { result: evaluatePolicy(loaded, evidence), evidence, digest, shown };
}
