// The files a model source holds, as OMS resources under a signature's hashing config: the one
// answer to "do the signed files match this artifact". An artifact's raw layers give `files/sha256`
// resources straight from the manifest (a raw layer's digest is the file's SHA-256); files inside
// an archive layer, or another hashing config, can only be compared after download (entry by entry,
// from the staged files), so before that they are UNSUPPORTED_ARTIFACT — never skipped.
import { ModelsealError } from '../errors.js';
import { hashModel } from '../model/hash-model.js';
import { compareUtf8 } from '../digest/root-digest.js';
import type { PullPlan } from '../oci/pull/pull-plan.js';
import type { PulledFile } from '../oci/pull/staging-target.js';
import type { SignedManifest } from '../oms/statement.js';
import type { HashingConfig, Resource } from '../types.js';

/**
 * A model's file set as `signed` sees it: its resources under the signature's hashing config (and,
 * for a model on disk, its ignore_paths and allow_symlinks). Throws UNSUPPORTED_ARTIFACT when it
 * cannot tell, a verification error when the files cannot match (IGNORED_PATH...), input errors.
 */
export type FileSet = (signed: SignedManifest) => Promise<Resource[]>;

const isPlainSha256 = (c: HashingConfig) => c.method === 'files' && c.hashType === 'sha256';

const sorted = (resources: Resource[]) => resources.sort((a, b) => compareUtf8(a.name, b.name));

/**
 * The files of an artifact as its manifest lists them (`plan.selected`: every layer a pull writes),
 * as files/sha256 resources in UTF-8 order: the one derivation of "which files are these layers".
 * Duplicate and unnamed layers were already refused by planPull (UNSAFE_PATH, UNSUPPORTED_ARTIFACT).
 * Throws UNSUPPORTED_ARTIFACT for an archive layer (its files have no digest in the manifest).
 */
export function layerResources(plan: Pick<PullPlan, 'selected'>, shown: string): Resource[] {
  const resources: Resource[] = [];
  for (const [i, layer] of plan.selected.entries()) {
    if (layer.encoding !== 'raw' || layer.path === undefined)
      throw new ModelsealError(
        'UNSUPPORTED_ARTIFACT',
        `${shown} layer ${i} is an archive (${layer.descriptor.mediaType}): its files have no digest in the manifest, so they can be signed or compared with a signature only entry by entry, after download`,
      );
    resources.push({
      name: layer.path,
      algorithm: 'sha256',
      digest: layer.descriptor.digest.slice('sha256:'.length),
    });
  }
  return sorted(resources);
}

/**
 * The file set of an artifact before download (layerResources). Throws UNSUPPORTED_ARTIFACT for an
 * archive layer or a config other than files/sha256.
 */
export function layerFileSet(plan: Pick<PullPlan, 'selected'>, shown: string): FileSet {
  return async ({ config }) => {
    const resources = layerResources(plan, shown);
    if (!isPlainSha256(config))
      throw new ModelsealError(
        'UNSUPPORTED_ARTIFACT',
        `${shown}: the signature hashes ${config.method}/${config.hashType}; only files/sha256 can be compared with layer digests before download`,
      );
    return resources;
  };
}

/**
 * The file set of a staged (downloaded, digest-checked) model: the pulled files as they are on disk,
 * archive entries included; rehashed from `dir` for a config other than files/sha256.
 */
export function stagedFileSet(dir: string, files: readonly PulledFile[]): FileSet {
  return async ({ config }) => {
    if (isPlainSha256(config))
      return sorted(
        files.map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.digest.slice('sha256:'.length) })),
      );
    const m = await hashModel(dir, {
      method: config.method,
      hashType: config.hashType,
      shardSize: config.shardSize,
      ignoreGitPaths: false,
    });
    return m.resources;
  };
}
