// `copyArtifact`: copy between two reference strings (what `modelseal copy SRC DST` does): opens both
// targets, refuses a digest destination, and tags the copy with DST's tag, else SRC's tag, else
// `latest` (none when SRC was pinned by digest and DST names no tag).
import { ModelsealError } from '../errors.js';
import { copy, type CopyOptions, type CopyResult } from './copy.js';
import { openTarget, type OpenTargetOptions } from './open-target.js';
import { DEFAULT_TAG, formatReference } from './reference.js';

/** What copyArtifact() did: copy()'s result plus the destination reference. */
export interface CopyArtifactResult extends CopyResult {
  /** the destination reference, pinned to the copied digest */
  reference: string;
}

/**
 * Copy an artifact and (by default) its referrers from one reference to another
 * (`oci:DIR[:TAG|@DIGEST]` or a registry reference); the destination tag defaults to the source
 * tag. Rejects with BAD_REFERENCE (e.g. a digest destination), NOT_FOUND, REGISTRY, REGISTRY_AUTH
 * or DIGEST_MISMATCH.
 */
export async function copyArtifact(
  src: string,
  dst: string,
  opts: CopyOptions & OpenTargetOptions = {},
): Promise<CopyArtifactResult> {
  const from = openTarget(src, opts);
  const to = openTarget(dst, opts);
  if (to.reference.digest)
    throw new ModelsealError('BAD_REFERENCE', `copy destination '${dst}' must not carry a digest`);
  const tag = to.reference.tag ?? from.reference.tag ?? (from.reference.digest ? undefined : DEFAULT_TAG);
  const result = await copy(from.target, from.selector, to.target, tag, opts);
  return {
    ...result,
    reference: formatReference({ ...to.reference, ...(tag ? { tag } : {}) }, result.descriptor.digest),
  };
}
