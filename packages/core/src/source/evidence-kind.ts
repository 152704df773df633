// The one classifier of a statement's predicateType: what kind of evidence it is and which policy
// check it serves. Used before verification only to route errors, and after it to bind evidence.
import { COSIGN_SIGN_V1, CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../in-toto/predicate-types.js';
import { OMS_LEGACY_PREDICATE_TYPE, OMS_PREDICATE_TYPE } from '../oms/statement.js';

/** What a signed statement is: an OMS model signature, a cosign signature, or an attestation kind. */
export type EvidenceKind = 'oms' | 'cosign' | 'provenance' | 'sbom' | 'attestation';

/** True for a CycloneDX BOM predicateType (`https://cyclonedx.org/bom`, or with a `/v1.N` suffix). */
export const isCycloneDxType = (t: string): boolean =>
  t === CYCLONEDX_BOM || /^https:\/\/cyclonedx\.org\/bom\/v1\.\d+$/.test(t);

/** The kind of a statement with `predicateType` (anything unknown, or not a string, is 'attestation'). */
export function evidenceKind(predicateType: unknown): EvidenceKind {
  if (predicateType === OMS_PREDICATE_TYPE || predicateType === OMS_LEGACY_PREDICATE_TYPE) return 'oms';
  if (predicateType === COSIGN_SIGN_V1) return 'cosign';
  if (predicateType === SLSA_PROVENANCE_V1) return 'provenance';
  if (typeof predicateType === 'string' && isCycloneDxType(predicateType)) return 'sbom';
  return 'attestation';
}

/** The policy check a statement of `predicateType` serves (`signatures.oms`, `provenance.signer`, ...). */
export function policyCheckFor(predicateType: unknown): string {
  const kind = evidenceKind(predicateType);
  if (kind === 'oms' || kind === 'cosign') return `signatures.${kind}`;
  if (kind === 'provenance' || kind === 'sbom') return `${kind}.signer`;
  return 'attestations';
}

/** The predicateType a bundle's (not yet verified) payload claims, or undefined when unreadable. */
export function claimedPredicateType(payload: Buffer): string | undefined {
  try {
    const t = (JSON.parse(payload.toString('utf8')) as { predicateType?: unknown }).predicateType;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}
