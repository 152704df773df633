// SLSA v1 provenance about a stored artifact: the subjects are its manifest digest, then its OMS root
// (from the manifest's raw layer digests); nothing but the manifest is read.
import type { OpenTargetOptions } from '../oci/open-target.js';
import { artifactSubjects } from './attest-artifact.js';
import { modelProvenance, type ModelProvenanceOptions } from './model-provenance.js';
import { openArtifact } from '../source/oci-artifact.js';

/**
 * Provenance statement for `ref` (as modelProvenance, with subjects = the manifest digest first, as
 * cosign prints `Subject[0]`, then the OMS root;
 * the OMS root is left out when files sit in archive layers). Throws BAD_REFERENCE, NOT_FOUND,
 * UNSUPPORTED_ARTIFACT, and what modelProvenance throws.
 */
export async function artifactProvenance(
  ref: string,
  opts: ModelProvenanceOptions & OpenTargetOptions = {},
): ReturnType<typeof modelProvenance> {
  const artifact = await openArtifact(ref, opts);
  return modelProvenance({ subjects: artifactSubjects(artifact) }, opts);
}
