// The subjects of a statement about a model source, the one rule attest, verifyAttestation and
// provenance share: a model on disk is named by its OMS root (hashed as `sign` hashes it, leaving
// out model.sig); a stored artifact by its manifest digest, then the OMS root of its raw file layers
// (left out when its files sit in archive layers). No layer is fetched for an artifact.
import { ModelsealError } from '../errors.js';
import { hashModel, type HashModelOptions } from '../model/hash-model.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { ModelSource } from '../source/open-model-source.js';
import type { StatementSubject } from '../in-toto/statement.js';
import { omsManifestOf, openArtifact, type OpenedArtifact } from './oci-artifact.js';

/** How to hash a model on disk (as `sign` does; its signature file is always left out). */
export type SubjectHashing = Omit<HashModelOptions, 'signaturePath'>;

/** A source's subjects: with its OMS root (on disk) or the opened artifact (stored). */
export type SourceSubjects =
  | { kind: 'directory'; root: string; subjects: StatementSubject[] }
  | { kind: 'artifact'; artifact: OpenedArtifact; subjects: StatementSubject[] };

/** The subjects of an attestation about a stored artifact: its manifest digest, and its OMS root when its files are raw layers. */
export function artifactSubjects(artifact: OpenedArtifact): StatementSubject[] {
  const d = artifact.plan.descriptor.digest;
  const subjects: StatementSubject[] = [
    { name: artifact.shown.replace(/[:@][^:@/]*$/, ''), digest: { sha256: d.slice(7) } },
  ];
  try {
    const m = omsManifestOf(artifact);
    subjects.push({ name: m.subjectName, digest: { sha256: m.root } });
  } catch (e) {
    if (!(e instanceof ModelsealError && e.code === 'UNSUPPORTED_ARTIFACT')) throw e;
  }
  return subjects;
}

/**
 * The subjects of `source`: hashes a model on disk with `hashing`; opens an artifact (its manifest
 * only) with the source's own options. Throws
 * what hashModel throws (NOT_FOUND, EMPTY_MODEL, the signal's reason) or openArtifact throws
 * (BAD_REFERENCE, NOT_FOUND, UNSUPPORTED_ARTIFACT, REGISTRY_AUTH).
 */
export async function sourceSubjects(
  source: ModelSource,
  hashing: SubjectHashing = {},
): Promise<SourceSubjects> {
  if (source.kind === 'artifact') {
    const artifact = await openArtifact(source.ref, source.options);
    return { kind: 'artifact', artifact, subjects: artifactSubjects(artifact) };
  }
  const manifest = await hashModel(source.path, {
    ...hashing,
    signaturePath: await defaultSignaturePath(source.path),
  });
  return {
    kind: 'directory',
    root: manifest.root,
    subjects: [{ name: manifest.subjectName, digest: { sha256: manifest.root } }],
  };
}
