// The `verifyAttestation` verb: check the attestations of one predicate type about a model source.
// The candidates are the bundle files beside a model on disk (default `MODEL.<type>.sigstore.json`)
// or the attestation referrers of a stored artifact; the subjects they must name come from the one
// rule in statement-subjects.ts (the OMS root as the model is on disk now; the manifest digest or
// OMS root of an artifact); every candidate is then checked by verifyAttestations.
import { ModelsealError } from '../errors.js';
import type { HashModelOptions } from '../model/hash-model.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import { readInputFile } from '../read-input-file.js';
import { bundleReferrers } from '../source/oci-referrers.js';
import type { ModelSource } from '../source/open-model-source.js';
import { resolveModelSource } from '../source/resolve-model-source.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { defaultAttestationPath } from './attest.js';
import { sourceSubjects } from '../source/statement-subjects.js';
import {
  verifyAttestations,
  type AttestationCandidate,
  type VerifiedAttestation,
} from './verify-attestation.js';

/**
 * Options of verifyAttestation(): who must have signed and the exact predicateType wanted; for a
 * model on disk the bundle files and hashing jobs/progress; for an artifact the registry options.
 */
export interface VerifyAttestationOptions
  extends Pick<HashModelOptions, 'jobs' | 'onProgress' | 'signal'>, OpenTargetOptions {
  verifier: BundleVerifier;
  predicateType: string;
  /**
   * Model on disk only: bundle files to check; default `MODEL.<type>.sigstore.json` beside the
   * model. USAGE with an artifact (its attestations are its referrers).
   */
  bundlePaths?: string[];
}

/** What verifyAttestation() proved, with the model's OMS root (on disk) or manifest digest (artifact). */
export type VerifyAttestationResult = VerifiedAttestation &
  (
    | { kind: 'directory'; /** The model's OMS root as hashed now. */ root: string }
    | {
        kind: 'artifact';
        /** The artifact as `registry/repo:tag` or `oci:PATH:tag`. */
        reference: string;
        /** Its manifest digest (`sha256:…`). */
        digest: string;
      }
  );

/**
 * Verifies the attestations of `predicateType` about `source` (a model directory or file, a
 * reference, `oci:LAYOUT`, or an opened ModelSource): signature, exact predicateType, and a subject
 * that is this model's (on disk: its OMS root, hashed as `sign` hashes it; an artifact: its manifest
 * digest or OMS root, no layer fetched). One bundle that passes is enough; referrers that cannot be
 * read are warnings. Throws NOT_FOUND for a missing path or bundle file, USAGE for `bundlePaths`
 * with an artifact, ATTESTATION_MISSING when no candidate passes (every check in `details.checks`),
 * BAD_REFERENCE, REGISTRY_AUTH, TIMEOUT.
 */
export async function verifyAttestation(
  source: ModelSource | string,
  options: VerifyAttestationOptions,
): Promise<VerifyAttestationResult> {
  const model = await resolveModelSource(source, options);
  const { verifier, predicateType } = options;
  const candidates: AttestationCandidate[] = [];
  const warnings: string[] = [];
  if (model.kind === 'directory') {
    const paths = options.bundlePaths?.length
      ? options.bundlePaths
      : [defaultAttestationPath(model.path, predicateType)];
    for (const p of paths) candidates.push({ source: p, bytes: await readInputFile(p, 'attestation') });
  } else if (options.bundlePaths?.length) {
    throw new ModelsealError(
      'USAGE',
      `option 'bundlePaths' is for a model on disk; ${model.shown} is an artifact (its attestations are its referrers)`,
    );
  }
  const about = await sourceSubjects(model, {
    jobs: options.jobs,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  if (about.kind === 'artifact') {
    const { artifact } = about;
    const { bundles, skipped } = await bundleReferrers(
      artifact.target,
      artifact.plan.descriptor,
      predicateType,
    );
    for (const b of bundles)
      candidates.push({ source: `${artifact.shown}@${b.referrer.digest}`, bytes: b.bytes });
    warnings.push(...skipped.map((x) => x.message));
  }
  const verified = await verifyAttestations(candidates, {
    verifier,
    predicateType,
    subjectDigests: about.subjects.map((s) => s.digest.sha256),
  });
  const result = { ...verified, warnings: [...warnings, ...verified.warnings] };
  return about.kind === 'directory'
    ? { ...result, kind: 'directory', root: about.root }
    : {
        ...result,
        kind: 'artifact',
        reference: about.artifact.shown,
        digest: about.artifact.plan.descriptor.digest,
      };
}
