// Evidence from an OCI artifact's referrers, before any layer is fetched: every Sigstore bundle
// referrer (listed and fetched by attest's bundleReferrers, the one reader `verify REF` uses too)
// is verified with the policy's verifier. An OMS signature statement becomes the model
// signature (its bundle is kept to check the pulled files against); any other statement is an
// attestation. Bundles that fail verification are recorded as failures of the check they serve.
import { ModelsealError } from '../errors.js';
import { bundleReferrers } from '../attest/oci-referrers.js';
import { COSIGN_SIGN_V1 } from '../attest/predicate-types.js';
import type { Descriptor, ReadOnlyTarget } from '../oci/target.js';
import { OMS_LEGACY_PREDICATE_TYPE, OMS_PREDICATE_TYPE } from '../oms/statement.js';
import { parseBundle } from '../verify/parse-bundle.js';
import type { BundleVerifier } from '../verify/verifier.js';
import type { PolicyEvidence, VerificationFailure } from './evidence.js';
import { parseStatementJson } from './model-evidence.js';
import { CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../attest/predicate-types.js';

/** Referrer evidence, plus the verified OMS signature bundle (to check the pulled files against). */
export interface ReferrerEvidence {
  evidence: PolicyEvidence;
  /** The first OMS signature bundle that verified, as bytes (a Sigstore bundle). */
  omsBundle?: Buffer;
  /** Its verified payload (the OMS in-toto statement). */
  omsPayload?: Buffer;
}

const isOms = (t: unknown) => t === OMS_PREDICATE_TYPE || t === OMS_LEGACY_PREDICATE_TYPE;

function checkFor(predicateType: unknown): string {
  if (isOms(predicateType)) return 'signatures.oms';
  if (predicateType === COSIGN_SIGN_V1) return 'signatures.cosign';
  if (predicateType === SLSA_PROVENANCE_V1) return 'provenance.signer';
  if (typeof predicateType === 'string' && predicateType.startsWith(CYCLONEDX_BOM)) return 'sbom.signer';
  return 'attestations';
}

/**
 * Verify every bundle referrer of `subject` in `target`. Throws input errors (registry, malformed
 * manifests); verification failures are recorded in `evidence.failures`.
 */
export async function gatherReferrerEvidence(
  target: ReadOnlyTarget,
  subject: Descriptor,
  verifier: BundleVerifier,
): Promise<ReferrerEvidence> {
  const failures: VerificationFailure[] = [];
  const evidence: PolicyEvidence = {
    subjectDigests: [subject.digest],
    signatures: [],
    attestations: [],
    failures,
  };
  let omsBundle: Buffer | undefined;
  let omsPayload: Buffer | undefined;
  for (const { referrer, bytes } of await bundleReferrers(target, subject)) {
    const where = `${target.location}@${referrer.digest}`;
    const bundle = parseBundle(bytes, where);
    let claimed: unknown;
    try {
      claimed = (JSON.parse(bundle.envelope.payload.toString('utf8')) as { predicateType?: unknown })
        .predicateType;
    } catch {
      claimed = undefined;
    }
    try {
      const verified = await verifier.verify(bundle);
      const statement = parseStatementJson(verified.payload, where);
      if (isOms(statement.predicateType)) {
        evidence.signatures.push({ kind: 'oms', signer: verified.signer });
        if (!omsBundle) {
          omsBundle = bytes;
          omsPayload = verified.payload;
        }
        for (const s of statement.subject ?? []) {
          if (typeof s.digest?.sha256 === 'string') evidence.subjectDigests.push(`sha256:${s.digest.sha256}`);
        }
      } else if (statement.predicateType === COSIGN_SIGN_V1) {
        if (statement.subject.some((s) => `sha256:${s.digest?.sha256}` === subject.digest)) {
          evidence.signatures.push({ kind: 'cosign', signer: verified.signer });
        } else {
          failures.push({
            check: 'signatures.cosign',
            code: 'SUBJECT_MISMATCH',
            message: `${where}: the cosign signature is about another manifest than ${subject.digest}`,
          });
        }
      } else {
        evidence.attestations.push({ statement, signer: verified.signer, source: where });
      }
    } catch (e) {
      if (!(e instanceof ModelsealError) || e.kind !== 'verification') throw e;
      failures.push({ check: checkFor(claimed), code: e.code, message: e.message });
    }
  }
  return { evidence, ...(omsBundle ? { omsBundle, omsPayload } : {}) };
}
