// The public API of @modelseal/core: a handful of verbs and the types they use.
export * from './errors.js';
export * from './types.js';
export type { BundleSigner, KeyMaterial } from './sign/signer.js';
export type { Target, Descriptor, BlobSource } from './oci/target.js';
export { MediaTypes, MAX_MANIFEST_BYTES } from './oci/target.js';
export type { BundleVerifier, ParsedBundle, VerifiedBundle, SignerIdentity } from './verify/verifier.js';
export { walkModel, type WalkOptions } from './model/walk-model.js';
export { GIT_PATHS } from './model/ignore-rules.js';
export { createHasher, isHashAlgorithm, HASH_ALGORITHMS, DIGEST_LENGTH, type StreamHasher } from './digest/hasher.js';
export { hashFiles, resourceAlgorithm, assertHashingConfig, type HashFilesOptions } from './digest/hash-files.js';
export { rootDigest, compareUtf8 } from './digest/root-digest.js';
export { hashModel, hashingConfigFrom, DEFAULT_SHARD_SIZE, type HashModelOptions } from './digest/hash-model.js';
