// The `sbom` verb: a CycloneDX 1.6 ML-BOM for a model source. A model on disk is hashed
// (directory-sbom-source.ts); a stored artifact's file digests come from its manifest and only its
// small model-card layers are fetched (artifact-sbom-source.ts); both feed the one builder, buildSbom.
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { ModelSource } from '../source/open-model-source.js';
import { resolveModelSource } from '../source/resolve-model-source.js';
import { artifactSbomSource, type CardFileOptions } from './artifact-sbom-source.js';
import { buildSbom } from './cyclonedx-bom.js';
import type { CdxBomJson } from './cyclonedx-types.js';
import { directorySbomSource } from './directory-sbom-source.js';
import { openArtifact } from '../source/oci-artifact.js';

/**
 * Options of sbom(): hashing jobs for a model on disk; for an artifact the registry options and the
 * model-card layer cap (`maxCardFileBytes`, default 1 MiB) with `onSkipped` told of a layer over it.
 */
export interface SbomOptions extends CardFileOptions, OpenTargetOptions {
  /** Hashing threads for a model on disk (default: the number of CPUs). */
  jobs?: number;
}

/**
 * Builds and validates a CycloneDX 1.6 ML-BOM for `source` (a model directory or file, a reference,
 * `oci:LAYOUT`, or an opened ModelSource). For an artifact no weight layer is fetched: file digests
 * come from the manifest, the model card from config.json, generation_config.json and README.md
 * layers (each under the cap, digest-checked while it streams). Throws NOT_FOUND, EMPTY_MODEL,
 * BAD_REFERENCE, UNSUPPORTED_ARTIFACT (files in archive layers), DIGEST_MISMATCH (a model-card layer
 * whose bytes do not match), REGISTRY_AUTH, INVALID_SBOM.
 */
export async function sbom(source: ModelSource | string, options: SbomOptions = {}): Promise<CdxBomJson> {
  const model = await resolveModelSource(source, options);
  if (model.kind === 'directory') return buildSbom(await directorySbomSource(model.path, options.jobs));
  const artifact = await openArtifact(model.ref, model.options);
  return buildSbom(artifactSbomSource(artifact, options));
}
