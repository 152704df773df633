// The public API of @modelseal/core: a handful of verbs and the types they use.
export * from './errors.js';
export * from './types.js';
export type { BundleSigner, KeyMaterial } from './sign/signer.js';
export type { Target, Descriptor, BlobSource } from './oci/target.js';
export { MediaTypes, MAX_MANIFEST_BYTES } from './oci/target.js';
export type { BundleVerifier, ParsedBundle, VerifiedBundle, SignerIdentity } from './verify/verifier.js';
