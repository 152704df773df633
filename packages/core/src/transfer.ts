// A light entry point (`@modelseal/core/transfer`): errors and the OCI transfer verbs only, for
// `modelseal push/pull/copy/inspect`. The root entry also loads signing, policy, attestation and
// scanning (zod, yaml, sigstore: ~300 files); a pull never needs them, and they cost it ~15 MiB
// of RSS and their load time before the first byte moves.
export * from './errors.js';
export type * from './types.js';
export { pushModel, type PushModelOptions, type PushModelResult } from './oci/push-model.js';
export {
  pushModelFollowing,
  type PushFollowingOptions,
  type PushFollowingResult,
} from './follow/push-following.js';
export {
  pullModel,
  type PullModelOptions,
  type PullModelResult,
  type PulledFile,
  type StagedModel,
} from './oci/pull-model.js';
export { copyArtifact, type CopyArtifactResult } from './oci/copy-artifact.js';
export {
  inspectArtifact,
  type InspectOptions,
  type InspectResult,
  type ReferrerNode,
} from './oci/inspect.js';
export { loadDockerCredentials, readPasswordStdin } from './oci/registry/credentials.js';
export type { OpenTargetOptions } from './oci/open-target.js';
