// @modelseal/core/policy: the ModelPolicy file, its evaluation over verified evidence, and results.
export { parsePolicy, loadPolicy, MAX_POLICY_BYTES, type LoadedPolicy } from './load-policy.js';
export {
  modelPolicySchema,
  POLICY_API_VERSION,
  POLICY_KIND,
  type ModelPolicy,
  type PolicyIdentity,
} from './schema.js';
export { evaluatePolicy, policyFailure, type EvaluatePolicyOptions } from './evaluate-policy.js';
export type {
  PolicyEvidence,
  SignatureEvidence,
  AttestationEvidence,
  VerifiedStatement,
  WeightFileEvidence,
  ScanEvidence,
} from '../source/evidence.js';
export type { PolicyCheck, PolicyResult } from './result.js';
export { identityMatcher, describeSigner, type IdentityMatcher } from './match-identity.js';
export { anchorPattern } from './anchored-pattern.js';
export { licenseViolation } from './spdx-licenses.js';
export { SLSA_PROVENANCE_V1, CYCLONEDX_BOM } from '../in-toto/predicate-types.js';
export { EXAMPLE_POLICY } from './example-policy.js';
export { signerPolicy, SIGNER_POLICY_IDENTITIES, type SignerPolicyOptions } from './signer-policy.js';
export { evidenceFromScan, type ScanReportLike } from '../source/scan-evidence.js';
export { policyVerifier, type PolicyVerifierOptions } from './policy-verifier.js';
export { gatherEvidence, type GatherEvidenceOptions, type GatheredEvidence } from './gather-evidence.js';
export { buildVsa, VSA_PREDICATE_TYPE, MODELSEAL_VERIFIER_ID, type VsaSubject } from './vsa.js';
export type { VerificationFailure, UnboundEvidence } from '../source/evidence.js';
export { gatherReferrerEvidence, type ReferrerEvidence } from '../source/referrer-evidence.js';
export { pullWithPolicy, type PullWithPolicyOptions, type PullWithPolicyResult } from './pull-with-policy.js';
export { evaluateReferencePolicy, type ReferencePolicyResult } from './reference-policy.js';
