/**
 * @module
 * The public API of @modelseal/core on one screen: the verbs (hash, sign, verify, push, pull, copy,
 * inspect, attest, evaluate a policy, scan, watch), the signer and verifier factories, the contracts
 * (Target, BundleSigner, BundleVerifier), the errors, and their option and result types. Building
 * blocks live behind subpath exports: `@modelseal/core/oci`, `/oms`, `/keys`, `/sigstore`, `/hashing`,
 * `/attest`, `/policy`, `/scan`, `/watch`.
 */
export * from './errors.js';
export type * from './types.js';

// contracts
export type { BundleSigner, KeyMaterial } from './sign/signer.js';
export type { BundleVerifier, VerifiedBundle, SignerIdentity } from './oms/verifier.js';
export type { ParsedBundle } from './oms/parse-bundle.js';
export type { Target, ReadOnlyTarget, Mounter, Descriptor, BlobSource } from './oci/target.js';

// verbs
export { hashModel, type HashModelOptions } from './model/hash-model.js';
/**
 * sign(source, options): a model on disk gets MODEL/model.sig (MODEL.sig for a file; DEST_EXISTS
 * unless `overwrite`), an artifact its OMS + cosign referrers (UNSUPPORTED_ARTIFACT for archive
 * layers); a missing path is NOT_FOUND before any registry is contacted.
 */
export { sign, type SignOptions, type SignResult } from './sign/sign.js';
export {
  createModelWriter,
  type ModelWriter,
  type ModelWriterOptions,
  type ModelWriterFinishOptions,
} from './writer/model-writer.js';
export {
  signModelFollowing,
  type SignFollowingOptions,
  type SignFollowingResult,
} from './follow/sign-following.js';
export type { SealModelResult } from './follow/seal-model.js';
export type { FollowModelOptions, FollowCompletion } from './follow/follow-model.js';
/**
 * verify(source, options): a model on disk is re-hashed against its OMS signature (TAMPERED_FILE,
 * MISSING_FILE, EXTRA_FILE...), an artifact's signature referrers are checked and bound to its
 * manifest (SIGNATURE_MISSING, SUBJECT_MISMATCH...); a missing path is NOT_FOUND before any request.
 */
export {
  verify,
  type VerifyOptions,
  type VerifyResult,
  type DirectoryVerifyResult,
  type ArtifactVerifyResult,
} from './verify/verify.js';
export type { VerifyModelSettings } from './verify/verify-model.js';
export type { SignedManifest } from './oms/statement.js';
export { pushModel, type PushModelOptions, type PushModelResult } from './oci/push-model.js';
export {
  pullModel,
  type PullModelOptions,
  type PullModelResult,
  type PulledFile,
  type StagedModel,
} from './oci/pull-model.js';
export { copy, type CopyOptions, type CopyResult } from './oci/copy.js';
export { copyArtifact, type CopyArtifactResult } from './oci/copy-artifact.js';
export { openTarget, type OpenTargetOptions, type OpenedTarget } from './oci/open-target.js';
export {
  inspectArtifact,
  type InspectOptions,
  type InspectResult,
  type ReferrerNode,
} from './oci/inspect.js';
export {
  generateKeyPair,
  type GenerateKeyPairOptions,
  type GeneratedKeyPair,
  type KeyAlgorithm,
} from './keys/generate-key-pair.js';
/** attest(source, options): sign a predicate about a model; a file beside it, or an artifact's referrer. */
export { attest, type AttestOptions, type AttestResult } from './attest/attest.js';
/** verifyAttestation(source, options): check a model's attestations of one predicate type. */
export {
  verifyAttestation,
  type VerifyAttestationOptions,
  type VerifyAttestationResult,
} from './attest/verify-model-attestation.js';
/** sbom(source, options): a validated CycloneDX 1.6 ML-BOM; for an artifact, no weight layer fetched. */
export { sbom, type SbomOptions } from './sbom/sbom.js';
/** provenance(source, options): a SLSA v1 provenance statement about a model. */
export {
  provenance,
  type ProvenanceOptions,
  type ProvenanceStatement,
} from './provenance/model-provenance.js';
export { evaluatePolicy, loadPolicy } from './policy/index.js';
export type { ModelPolicy, LoadedPolicy, PolicyEvidence, PolicyResult, PolicyCheck } from './policy/index.js';
/** scan(MODEL|REF|ModelSource, options): weight formats and pickle imports; findings in the report, input errors thrown. */
export {
  scan,
  type ScanOptions,
  type ScanReport,
  type ScannedFile,
  type ScanFinding,
  type ReportedImport,
  type WeightFormat,
} from './scan/index.js';
export { watchModel, checkModelDrift, type WatchModelOptions, type DriftEvent } from './watch/index.js';

// signer and verifier factories
export { keySigner, type KeySignerOptions } from './sign/key-signer.js';
export { certificateSigner, type CertificateSignerOptions } from './sign/certificate-signer.js';
export { logBundle, tlogOfServices, type TlogUploadOptions } from './sign/tlog-upload.js';
export { keylessSigner, type KeylessSignerOptions } from './sign/keyless.js';
export { keyVerifier, type KeyVerifierOptions } from './verify/key-verifier.js';
export { certificateVerifier, type CertificateVerifierOptions } from './verify/certificate-verifier.js';
export { keylessVerifier, type KeylessVerifierOptions } from './verify/sigstore-verifier.js';
export type { TrustedRootSource } from './verify/trust-root.js';
export type { IdentityPolicyOptions, GithubClaims } from './verify/identity-policy.js';
export {
  openModelSource,
  artifactSource,
  type ModelSource,
  type DirectorySource,
  type ArtifactSource,
} from './source/open-model-source.js';
