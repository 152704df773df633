// A light entry point (`@modelseal/core/hashing`): errors and the hashing verbs only, for callers
// such as `modelseal hash` that must start fast without loading the signing and OCI modules.
export * from './errors.js';
export { typedFileSystemError } from './fs-error-code.js';
export type * from './types.js';
export { walkModel, type WalkOptions } from './model/walk-model.js';
export { unmatchedIgnorePaths, type UnmatchedIgnorePath } from './model/unmatched-ignore-paths.js';
export { createHasher, isHashAlgorithm, HASH_ALGORITHMS, DIGEST_LENGTH } from './digest/hasher.js';
export type { StreamHasher } from './digest/stream-hasher.js';
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
} from './model/hash-model.js';
