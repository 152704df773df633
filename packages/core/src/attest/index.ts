// @modelseal/core/attest: building blocks for attestations on models and OCI artifacts — in-toto
// statements, cosign predicate types, SLSA provenance v1 (GitHub and ml-training buildTypes), the
// CycloneDX 1.6 ML-BOM, and attestation verification. The root export carries the verbs only.
export { defaultAttestationPath } from './attest.js';
export { signStatement } from './sign-statement.js';
export type { AttestationStatement } from '../in-toto/statement.js';
export {
  buildInTotoStatement,
  parseInTotoStatement,
  hasSubjectDigest,
  unwrapPredicate,
  IN_TOTO_STATEMENT_V1,
  IN_TOTO_STATEMENT_V01,
  type InTotoStatement,
  type StatementSubject,
} from '../in-toto/statement.js';
export {
  PREDICATE_TYPES,
  SLSA_PROVENANCE_V1,
  CYCLONEDX_BOM,
  COSIGN_SIGN_V1,
  predicateTypeFor,
  typeFileWord,
} from '../in-toto/predicate-types.js';
export {
  buildProvenance,
  GITHUB_BUILD_TYPE,
  ML_TRAINING_BUILD_TYPE,
  LOCAL_BUILDER_ID,
  type BuildProvenanceOptions,
  type DigestedInput,
  type GithubBuildClaims,
} from '../provenance/provenance.js';
export {
  slsaProvenanceV1Schema,
  resourceDescriptorSchema,
  mlTrainingExternalParametersSchema,
  type SlsaProvenanceV1,
  type ResourceDescriptor,
} from '../provenance/provenance-schema.js';
export { githubBuildClaims, onGithubActions, type GithubProvenanceEnv } from '../provenance/github-claims.js';
export {
  digestedInput,
  isPinnedInput,
  parseParameter,
  readParametersFile,
  byproduct,
  gitSource,
  remoteUri,
} from '../provenance/provenance-inputs.js';
export { buildSbom, validateSbom, type SbomSource } from '../sbom/cyclonedx-bom.js';
export {
  readModelFacts,
  frontMatter,
  MODEL_CARD_FILES,
  type ModelFacts,
  type ReadModelFile,
} from '../sbom/model-card.js';
export type {
  CdxBomJson,
  CdxComponentJson,
  CdxComponentData,
  CdxModelCard,
  CdxPerformanceMetric,
  CdxProperty,
} from '../sbom/cyclonedx-types.js';
export {
  verifyAttestations,
  type AttestationCandidate,
  type AttestationCheck,
  type CheckAttestationsOptions,
  type VerifiedAttestation,
} from './verify-attestation.js';
export { provenanceStatement, parseTime } from '../provenance/model-provenance.js';
export type { VerifyArtifactResult, SignatureCheck } from '../verify/verify-artifact.js';
export { pullVerification, type PullVerificationOptions } from './pull-verification.js';
export {
  inspectEvidence,
  type ArtifactEvidence,
  type EvidenceEntry,
  type InspectEvidenceOptions,
} from './artifact-evidence.js';
export { claimedSigner } from './claimed-signer.js';
export { openArtifact, omsManifestOf, type OpenedArtifact } from '../source/oci-artifact.js';
export {
  attachBundle,
  bundleReferrers,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_ANNOTATION,
  type BundleReferrers,
  type ReferrerBundle,
  type SkippedReferrer,
} from '../source/oci-referrers.js';
export {
  legacySignatures,
  legacySignatureTag,
  verifyLegacySignature,
  SIMPLESIGNING_MEDIA_TYPE,
  COSIGN_SIGNATURE_ANNOTATION,
  type LegacySignature,
} from '../source/legacy-cosign.js';
export {
  storeGithubAttestation,
  type StoreGithubAttestationOptions,
  type StoredGithubAttestation,
} from './github-attestations.js';
export { readInputFile, type InputFileOptions } from '../read-input-file.js';
