// Bound evidence as a policy reads it: only bound signatures and attestations, the bound subject
// digests, and every unbound item turned into a failure of the check it claimed to serve (so a
// denial names why, e.g. "the OMS signature is not about the files of ...").
import type { PolicyEvidence, VerificationFailure } from './evidence.js';
import type { BoundEvidence } from './bind-evidence.js';
import { policyCheckFor } from './evidence-kind.js';

/** The PolicyEvidence of `bound`, with `failures` (from verifyBundles) and the unbound items added. */
export function policyEvidenceOf(
  bound: BoundEvidence,
  failures: readonly VerificationFailure[],
): PolicyEvidence {
  return {
    subjectDigests: [...bound.subjectDigests],
    signatures: [
      ...bound.oms.map((s) => ({ kind: 'oms' as const, signer: s.signer })),
      ...bound.cosign.map((s) => ({ kind: 'cosign' as const, signer: s.signer })),
    ],
    attestations: [...bound.attestations],
    failures: [
      ...failures,
      ...bound.unbound.map((u) => ({
        check:
          u.kind === 'oms' || u.kind === 'cosign' ? `signatures.${u.kind}` : policyCheckFor(u.predicateType),
        code: u.code,
        message: u.reason,
      })),
    ],
    unbound: bound.unbound,
  };
}
