// Picks the attestations a rule may rely on: the right predicate type, a subject bound to a digest
// the verifier recomputed, and a signer among the rule's identities. Says which step failed.
import type { AttestationEvidence, PolicyEvidence } from '../source/evidence.js';
import { describeSigner, type IdentityMatcher } from './match-identity.js';
import type { PolicyCheck } from './result.js';

/** `alg:hex` forms of a statement subject's digests. */
function subjectDigests(a: AttestationEvidence): string[] {
  return a.statement.subject.flatMap((s) =>
    Object.entries(s.digest).map(([alg, hex]) => `${alg}:${hex.toLowerCase()}`),
  );
}

/**
 * The accepted attestations of `predicateType`, or a failed check saying why there are none
 * (ATTESTATION_MISSING, SUBJECT_MISMATCH, IDENTITY_MISMATCH).
 */
export function selectAttestations(
  name: string,
  evidence: PolicyEvidence,
  accepts: (predicateType: string) => boolean,
  signers: IdentityMatcher[],
): { accepted: AttestationEvidence[]; check: PolicyCheck } {
  const ofType = evidence.attestations.filter((a) => accepts(a.statement.predicateType));
  if (ofType.length === 0) {
    const failure = evidence.failures?.find((f) => f.check === name);
    if (failure)
      return { accepted: [], check: { name, passed: false, reason: failure.message, code: failure.code } };
    return {
      accepted: [],
      check: {
        name,
        passed: false,
        reason: 'no verified attestation of this type',
        code: 'ATTESTATION_MISSING',
      },
    };
  }
  const known = new Set(evidence.subjectDigests.map((d) => d.toLowerCase()));
  const bound = ofType.filter((a) => subjectDigests(a).some((d) => known.has(d)));
  if (bound.length === 0) {
    return {
      accepted: [],
      check: {
        name,
        passed: false,
        reason: `the attestation's subject (${subjectDigests(ofType[0]).join(', ') || 'none'}) is not this model (${[...known].join(', ') || 'no digest'})`,
        code: 'SUBJECT_MISMATCH',
      },
    };
  }
  const accepted = bound.filter((a) => signers.some((m) => m.matches(a.signer)));
  if (accepted.length === 0) {
    return {
      accepted: [],
      check: {
        name,
        passed: false,
        reason: `signed by ${describeSigner(bound[0].signer)}, not by ${signers.map((m) => m.name).join(' or ')}`,
        code: 'IDENTITY_MISMATCH',
      },
    };
  }
  const by = signers.filter((m) => accepted.some((a) => m.matches(a.signer))).map((m) => m.name);
  return {
    accepted,
    check: { name, passed: true, reason: `${accepted.length} attestation(s) signed by ${by.join(', ')}` },
  };
}
