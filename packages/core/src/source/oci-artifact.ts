// A model artifact in a registry or OCI layout, read without any layer: its manifest (fetched by
// digest, checked), its file layers, and the OMS manifest those layers imply (each raw layer's digest
// is the file's SHA-256), which is what `sign DIR` would sign for the pulled directory.
import { ModelsealError } from '../errors.js';
import { rootDigest } from '../digest/root-digest.js';
import { layerResources } from './file-set.js';
import { GIT_PATHS } from '../model/ignore-rules.js';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';
import type { ModelManifest } from '../types.js';
import { openTarget, type OpenTargetOptions } from '../oci/open-target.js';
import { formatReference, type ArtifactReference } from '../oci/reference.js';
import { planPull, type PullPlan } from '../oci/pull/pull-plan.js';
import type { Target } from '../oci/target.js';

/** An artifact opened for signing or verification. */
export interface OpenedArtifact {
  target: Target;
  /** `registry/repo:tag` or `oci:PATH:tag`, for messages. */
  shown: string;
  /** Name used as the OMS subject: the repository's last component (or the layout directory's). */
  name: string;
  /** The parsed reference (registry and repository, or layout path; tag or digest as written). */
  reference: ArtifactReference;
  plan: PullPlan;
}

/** Opens `ref` and reads its manifest (no layer). Throws BAD_REFERENCE, NOT_FOUND, UNSUPPORTED_ARTIFACT. */
export async function openArtifact(ref: string, opts: OpenTargetOptions = {}): Promise<OpenedArtifact> {
  const opened = openTarget(ref, opts);
  const shown = formatReference(opened.reference);
  const plan = await planPull(opened.target, opened.selector, shown);
  const r = opened.reference;
  const name = (r.kind === 'layout' ? r.path : r.repository).split('/').filter(Boolean).pop() ?? 'model';
  return { target: opened.target, shown, name, reference: r, plan };
}

/**
 * The OMS manifest of an artifact's raw file layers (source/file-set layerResources: the one
 * derivation of the layer file list), default ignore paths (as `sign DIR` records them). Throws UNSUPPORTED_ARTIFACT when files
 * are inside archive layers (their digests are not in the manifest) or two layers claim one path.
 */
export function omsManifestOf(artifact: Pick<OpenedArtifact, 'shown' | 'name' | 'plan'>): ModelManifest {
  const resources = layerResources(artifact.plan, artifact.shown);
  if (resources.length === 0) throw new ModelsealError('EMPTY_MODEL', `${artifact.shown} has no file layers`);
  return {
    root: rootDigest(resources),
    subjectName: artifact.name,
    config: { method: 'files', hashType: 'sha256', shardSize: 0 },
    allowSymlinks: false,
    ignorePaths: [...GIT_PATHS, DEFAULT_SIGNATURE_NAME],
    resources,
  };
}
