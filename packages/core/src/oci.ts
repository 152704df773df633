/**
 * @module
 * `@modelseal/core/oci`: the OCI building blocks behind pushModel, pullModel and copy — references,
 * the registry and OCI-layout targets, CNCF ModelPack packing, registry credentials and the
 * digest-checking stream.
 */
export type { Target, ReadOnlyTarget, Mounter, Descriptor, BlobSource } from './oci/target.js';
export { MediaTypes, MAX_MANIFEST_BYTES } from './oci/target.js';
export {
  parseReference,
  formatReference,
  DEFAULT_TAG,
  type ArtifactReference,
  type RegistryReference,
  type LayoutReference,
} from './oci/reference.js';
export { openTarget, type OpenTargetOptions, type OpenedTarget } from './oci/open-target.js';
export { copy, type CopyOptions, type CopyResult } from './oci/copy.js';
export { LayoutTarget } from './oci/layout/layout-target.js';
export {
  RegistryTarget,
  type RegistryTargetOptions,
  type RegistryTransferStats,
} from './oci/registry/registry-target.js';
export type { ResponseEvent } from './oci/registry/registry-session.js';
export { packModel, type PackedModel, type PackOptions } from './oci/modelpack/pack-model.js';
export {
  ModelPackTypes,
  ModelPackAnnotations,
  classifyFile,
  type LayerKind,
} from './oci/modelpack/media-types.js';
export {
  loadDockerCredentials,
  loadContainersAuth,
  defaultCredentials,
  readPasswordStdin,
  type RegistryCredentials,
  type CredentialSource,
} from './oci/registry/credentials.js';
export { verifyingStream } from './oci/verifying-stream.js';
export { sha256Digest } from './oci/digest.js';
