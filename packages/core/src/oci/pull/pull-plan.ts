// The first half of a pull, before anything is written: resolve the reference, fetch the manifest
// (bounded, digest-checked), read its file layers and validate every path, and pick the layers to write.
import { ModelsealError } from '../../errors.js';
import { parseManifest, type ImageManifest } from '../manifest.js';
import { fetchVerifiedManifest } from '../manifest-fetch.js';
import { artifactLayers, type ArtifactFormat, type ArtifactLayer } from '../modelpack/artifact-layers.js';
import { compileGlobs } from '../modelpack/media-types.js';
import { MAX_MANIFEST_BYTES, type Descriptor, type ReadOnlyTarget } from '../target.js';
import { ignoredByVerify, type IgnoredPathPolicy } from './ignored-paths.js';
import { checkRelativePath, PathClaims } from './safe-path.js';

export interface PullPlan {
  descriptor: Descriptor;
  bytes: Buffer;
  manifest: ImageManifest;
  format: ArtifactFormat;
  /** the layers to write (all archives; raw layers matching `include`) */
  selected: ArtifactLayer[];
  claims: PathClaims;
  include?: (path: string) => boolean;
  /** raw layers left out because verify would ignore their path (never downloaded) */
  skipped: ArtifactLayer[];
}

/** The refusal of an artifact that carries a path verify ignores (`--strict`). */
export function ignoredPathError(shown: string, path: string, where: string): ModelsealError {
  return new ModelsealError(
    'IGNORED_PATH',
    `${shown}: ${where} writes '${path}', a path verify ignores, so no signature covers it; refusing the artifact (strict, the default when pulling verified or with a policy)`,
    { details: { path } },
  );
}

/** Plan pulling `selector` from `target`; throws before any layer is downloaded. */
export async function planPull(
  target: ReadOnlyTarget,
  selector: string,
  shown: string,
  includeGlobs?: string[],
  ignored: IgnoredPathPolicy = 'skip',
): Promise<PullPlan> {
  const descriptor = await target.resolve(selector);
  if (descriptor.size > MAX_MANIFEST_BYTES) {
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `manifest of ${shown} is ${descriptor.size} bytes (limit ${MAX_MANIFEST_BYTES})`,
    );
  }
  const bytes = await fetchVerifiedManifest(target, descriptor);
  const parsed = parseManifest(bytes, descriptor.mediaType, shown);
  if (parsed.kind !== 'manifest') {
    throw new ModelsealError(
      'UNSUPPORTED_ARTIFACT',
      `${shown} is an index (${descriptor.mediaType}); pull one of its manifests by digest`,
    );
  }
  const { format, layers } = artifactLayers(parsed.manifest, shown);
  const claims = new PathClaims();
  const skipped: ArtifactLayer[] = [];
  for (const [i, layer] of layers.entries()) {
    if (layer.path === undefined) continue;
    const path = checkRelativePath(layer.path, `${shown} layer ${i}`);
    if (layer.encoding !== 'raw') continue;
    if (ignoredByVerify(path)) {
      if (ignored === 'refuse') throw ignoredPathError(shown, path, `layer ${i}`);
      skipped.push(layer);
      continue;
    }
    claims.claim(path, 'file', `${shown} layer ${i}`);
  }
  for (const layer of layers) {
    if (layer.encoding === 'tar+zstd') {
      throw new ModelsealError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${shown}: zstd-compressed layers (${layer.descriptor.mediaType}) are not supported`,
      );
    }
  }
  const include = includeGlobs?.length ? compileGlobs(includeGlobs) : undefined;
  const selected = layers.filter(
    (l) => !skipped.includes(l) && (l.encoding !== 'raw' || !include || include(l.path as string)),
  );
  if (selected.length === 0)
    throw new ModelsealError('NOT_FOUND', `no file of ${shown} matches include ${includeGlobs?.join(' ')}`);
  return {
    descriptor,
    bytes,
    manifest: parsed.manifest,
    format,
    selected,
    claims,
    skipped,
    ...(include ? { include } : {}),
  };
}
