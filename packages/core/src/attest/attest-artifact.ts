// Attestations on OCI artifacts: `attestArtifact` signs a predicate about a stored model (subjects: the
// manifest digest and the OMS root of its files) and attaches it as a referrer with the
// predicateType annotation; `verifyArtifactAttestation` reads those referrers back and checks them
// with the same code as file attestations. No layer is downloaded either way.
import { ModelsealError } from '../errors.js';
import { serializeBundle, singleCertificateBundle } from '../sign/dsse-bundle.js';
import type { BundleSigner } from '../sign/signer.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { Descriptor } from '../oci/target.js';
import type { BundleVerifier } from '../verify/verifier.js';
import { attest } from './attest.js';
import type { StatementSubject } from '../in-toto/statement.js';
import { omsManifestOf, openArtifact, type OpenedArtifact } from '../source/oci-artifact.js';
import { attachBundle, bundleReferrers } from '../source/oci-referrers.js';
import { verifyAttestations, type VerifiedAttestation } from './verify-attestation.js';

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

/** Options of attestArtifact: the signer and the predicate (with its type URI) to attach. */
export interface AttestArtifactOptions extends OpenTargetOptions {
  signer: BundleSigner;
  predicateType: string;
  predicate: unknown;
}

/**
 * Signs `predicate` about `ref` and attaches it as a referrer (a certificate signer's leaf alone in
 * `verificationMaterial.certificate`, the bundle v0.3 form cosign reads). Returns the referrer
 * descriptor and subjects.
 */
export async function attestArtifact(
  ref: string,
  opts: AttestArtifactOptions,
): Promise<{ reference: string; digest: string; referrer: Descriptor; subjects: StatementSubject[] }> {
  const artifact = await openArtifact(ref, opts);
  const subjects = artifactSubjects(artifact);
  const bundle = await attest(
    { subject: subjects, predicateType: opts.predicateType, predicate: opts.predicate },
    opts.signer,
  );
  const referrer = await attachBundle(
    artifact.target,
    artifact.plan.descriptor,
    serializeBundle(singleCertificateBundle(bundle)),
    opts.predicateType,
  );
  return { reference: artifact.shown, digest: artifact.plan.descriptor.digest, referrer, subjects };
}

/** Options of verifyArtifactAttestation: who must have signed, and the exact predicateType wanted. */
export interface VerifyArtifactAttestationOptions extends OpenTargetOptions {
  verifier: BundleVerifier;
  predicateType: string;
}

/**
 * Verifies the attestations of `predicateType` attached to `ref`: signature, exact predicateType, and
 * a subject that is the manifest digest or the OMS root. Throws as verifyAttestations.
 */
export async function verifyArtifactAttestation(
  ref: string,
  opts: VerifyArtifactAttestationOptions,
): Promise<VerifiedAttestation & { digest: string }> {
  const artifact = await openArtifact(ref, opts);
  const digests = artifactSubjects(artifact).map((s) => s.digest.sha256);
  const { bundles, skipped } = await bundleReferrers(
    artifact.target,
    artifact.plan.descriptor,
    opts.predicateType,
  );
  const result = await verifyAttestations(
    bundles.map((b) => ({ source: `${artifact.shown}@${b.referrer.digest}`, bytes: b.bytes })),
    { verifier: opts.verifier, predicateType: opts.predicateType, subjectDigests: digests },
  );
  return {
    ...result,
    warnings: [...skipped.map((x) => x.message), ...result.warnings],
    digest: artifact.plan.descriptor.digest,
  };
}
