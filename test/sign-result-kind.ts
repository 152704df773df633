// Narrow what the `sign` and `verify` verbs returned to the kind a test signed, failing the test on the other kind
// (a path signed as an artifact, or a reference signed as a directory).
import type { SignResult, VerifyResult } from '../packages/core/src/index.js';

/** `r` as the result of signing a model on disk; throws when it is not one. */
export function signedOnDisk(r: SignResult): Extract<SignResult, { kind: 'directory' }> {
  if (r.kind !== 'directory') throw new Error(`expected a model on disk to be signed, got ${r.kind}`);
  return r;
}

/** `r` as the result of signing a stored artifact; throws when it is not one. */
export function signedArtifact(r: SignResult): Extract<SignResult, { kind: 'artifact' }> {
  if (r.kind !== 'artifact') throw new Error(`expected an artifact to be signed, got ${r.kind}`);
  return r;
}

/** `r` as the result of verifying a model on disk; throws when it is not one. */
export function verifiedOnDisk(r: VerifyResult): Extract<VerifyResult, { kind: 'directory' }> {
  if (r.kind !== 'directory') throw new Error(`expected a model on disk to be verified, got ${r.kind}`);
  return r;
}

/** `r` as the result of verifying a stored artifact; throws when it is not one. */
export function verifiedArtifact(r: VerifyResult): Extract<VerifyResult, { kind: 'artifact' }> {
  if (r.kind !== 'artifact') throw new Error(`expected an artifact to be verified, got ${r.kind}`);
  return r;
}
