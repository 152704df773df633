// Verifies attestation bundles written for a model directory: the subject must be the model's OMS root
// as it is on disk now (hashed like `sign`, leaving out model.sig).
import { hashModel, type HashModelOptions } from '../model/hash-model.js';
import { readInputFile } from '../read-input-file.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { BundleVerifier } from '../verify/verifier.js';
import { defaultAttestationPath } from './attest.js';
import { verifyAttestations, type VerifiedAttestation } from './verify-attestation.js';

/** Options of verifyModelAttestation(): the verifier, the attestation path, jobs and progress. */
export interface VerifyModelAttestationOptions extends Pick<HashModelOptions, 'jobs' | 'onProgress'> {
  verifier: BundleVerifier;
  predicateType: string;
  /** Bundle files to check; default `MODEL.<type>.sigstore.json` beside the model. */
  bundlePaths?: string[];
}

/**
 * Hashes the model, then verifies its attestation bundle(s) of `predicateType` against its OMS root.
 * Throws NOT_FOUND for a missing bundle file, and the errors of verifyAttestations.
 */
export async function verifyModelAttestation(
  modelPath: string,
  opts: VerifyModelAttestationOptions,
): Promise<VerifiedAttestation & { root: string }> {
  const paths = opts.bundlePaths?.length
    ? opts.bundlePaths
    : [defaultAttestationPath(modelPath, opts.predicateType)];
  const candidates = [];
  for (const p of paths) candidates.push({ source: p, bytes: await readInputFile(p, 'attestation') });
  const manifest = await hashModel(modelPath, {
    jobs: opts.jobs,
    onProgress: opts.onProgress,
    signaturePath: await defaultSignaturePath(modelPath),
  });
  const verified = await verifyAttestations(candidates, {
    verifier: opts.verifier,
    predicateType: opts.predicateType,
    subjectDigests: [manifest.root],
  });
  return { ...verified, root: manifest.root };
}
