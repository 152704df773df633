// The public API of @modelseal/core: a handful of verbs and the types they use.
export * from './errors.js';
export * from './types.js';
export type { BundleSigner, KeyMaterial } from './sign/signer.js';
export type { Target, ReadOnlyTarget, Mounter, Descriptor, BlobSource } from './oci/target.js';
export { MediaTypes, MAX_MANIFEST_BYTES } from './oci/target.js';
export type { BundleVerifier, ParsedBundle, VerifiedBundle, SignerIdentity } from './verify/verifier.js';
export { walkModel, type WalkOptions } from './model/walk-model.js';
export { GIT_PATHS } from './model/ignore-rules.js';
export {
  createHasher,
  isHashAlgorithm,
  HASH_ALGORITHMS,
  DIGEST_LENGTH,
  type StreamHasher,
} from './digest/hasher.js';
export {
  hashFiles,
  resourceAlgorithm,
  assertHashingConfig,
  type HashFilesOptions,
} from './digest/hash-files.js';
export { rootDigest, compareUtf8 } from './digest/root-digest.js';
export {
  hashModel,
  hashingConfigFrom,
  DEFAULT_SHARD_SIZE,
  type HashModelOptions,
} from './digest/hash-model.js';
export {
  buildStatement,
  parseStatement,
  manifestFiles,
  IN_TOTO_STATEMENT_TYPE,
  OMS_PREDICATE_TYPE,
  OMS_LEGACY_PREDICATE_TYPE,
  type SignedManifest,
} from './oms/statement.js';
export { compareManifest, type CompareOptions } from './oms/compare-manifest.js';
export { loadPrivateKey, loadPrivateKeyFile, type LoadPrivateKeyOptions } from './keys/load-private-key.js';
export { loadPublicKey, loadPublicKeyFile, publicKeyHint, publicKeyPem } from './keys/load-public-key.js';
export {
  generateKeyPair,
  newKeyPair,
  KEY_ALGORITHMS,
  type GenerateKeyPairOptions,
  type GeneratedKeyPair,
  type KeyAlgorithm,
} from './keys/generate-key-pair.js';
export { encryptCosignKey, decryptCosignKey } from './keys/cosign-key.js';
export { loadCertificates, loadCertificateFiles, hasSigningUsage } from './keys/certificates.js';
export { signingAlgorithm, type SigningAlgorithm } from './keys/signing-algorithm.js';
export { preAuthEncoding, IN_TOTO_PAYLOAD_TYPE } from './sign/dsse.js';
export { dsseBundle, serializeBundle, BUNDLE_V03_MEDIA_TYPE } from './sign/dsse-bundle.js';
export { keySigner, type KeySignerOptions } from './sign/key-signer.js';
export { certificateSigner, type CertificateSignerOptions } from './sign/certificate-signer.js';
export { signModel, type SignModelOptions, type SignModelResult } from './sign/sign-model.js';
export { defaultSignaturePath, DEFAULT_SIGNATURE_NAME } from './sign/signature-path.js';
export { parseBundle, ACCEPTED_BUNDLE_MEDIA_TYPES } from './verify/parse-bundle.js';
export { keyVerifier, type KeyVerifierOptions } from './verify/key-verifier.js';
export { certificateVerifier, type CertificateVerifierOptions } from './verify/certificate-verifier.js';
export {
  verifyModel,
  type VerifyModelOptions,
  type VerifyModelSettings,
  type VerifyModelResult,
} from './verify/verify-model.js';
export { keylessSigner, type KeylessSignerOptions } from './sign/keyless.js';
export {
  servicesFromSigningConfig,
  loadSigningConfig,
  PUBLIC_GOOD_SERVICES,
  STAGING_SERVICES,
  type SigstoreServices,
} from './sign/keyless-services.js';
export {
  resolveIdentityToken,
  pickTokenSource,
  MISSING_TOKEN_HELP,
  type TokenSourceOptions,
  type ResolvedToken,
  type TokenSourceName,
} from './sign/identity/token-sources.js';
export {
  sigstoreVerifier,
  keylessVerifier,
  type SigstoreVerifierOptions,
  type KeylessVerifierOptions,
} from './verify/sigstore-verifier.js';
export {
  loadTrustedRoot,
  publicGoodTrustedRoot,
  parseTrustedRoot,
  type TrustedRootSource,
} from './verify/trust-root.js';
export {
  identityPolicy,
  anchoredRegExp,
  type IdentityPolicyOptions,
  type GithubClaims,
} from './verify/identity-policy.js';
export {
  readFulcioIdentity,
  FulcioExtensionOids,
  type FulcioIdentity,
  type FulcioExtensionName,
} from './verify/fulcio-extensions.js';
export {
  parseReference,
  formatReference,
  referenceSelector,
  isLoopbackRegistry,
  DEFAULT_TAG,
  type ArtifactReference,
  type RegistryReference,
  type LayoutReference,
} from './oci/reference.js';
export { LayoutTarget } from './oci/layout/layout-target.js';
export { openTarget, type OpenTargetOptions, type OpenedTarget } from './oci/open-target.js';
export { copy, type CopyOptions, type CopyResult } from './oci/copy.js';
export { copyArtifact, type CopyArtifactResult } from './oci/copy-artifact.js';
export { packModel, type PackedModel, type PackOptions } from './oci/modelpack/pack-model.js';
export {
  ModelPackTypes,
  ModelPackAnnotations,
  classifyFile,
  type LayerKind,
} from './oci/modelpack/media-types.js';
export { pushModel, type PushModelOptions, type PushModelResult } from './oci/push-model.js';
export {
  pullModel,
  type PullModelOptions,
  type PullModelResult,
  type PulledFile,
  type StagedModel,
} from './oci/pull-model.js';
export {
  inspectArtifact,
  type InspectOptions,
  type InspectResult,
  type ReferrerNode,
} from './oci/inspect.js';
export {
  RegistryTarget,
  type RegistryTargetOptions,
  type RegistryTransferStats,
} from './oci/registry/registry-target.js';
export {
  loadDockerCredentials,
  loadContainersAuth,
  defaultCredentials,
  readPasswordStdin,
  type RegistryCredentials,
  type CredentialSource,
} from './oci/registry/credentials.js';
export { verifyingStream, DigestingTransform, digestOf } from './oci/verifying-stream.js';
export type { ResponseEvent } from './oci/registry/registry-session.js';
export { checkedSigner } from './sign/checked-signer.js';
export { evaluatePolicy, loadPolicy } from './policy/index.js';
export type { ModelPolicy, LoadedPolicy, PolicyEvidence, PolicyResult, PolicyCheck } from './policy/index.js';
export {
  scanModel,
  type ScanOptions,
  type ScanReport,
  type ScannedFile,
  type ScanFinding,
  type ReportedImport,
  type WeightFormat,
} from './scan/index.js';
export { watchModel, checkModelDrift, type WatchModelOptions, type DriftEvent } from './watch/index.js';
export { attest, type AttestationStatement } from './attest/attest.js';
export { buildProvenance, type BuildProvenanceOptions } from './attest/provenance.js';
export { buildSbom, type SbomSource } from './attest/sbom.js';
