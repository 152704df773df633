// cosign's `--type` names and the in-toto predicateType URIs they stand for
// (sigstore/cosign:cmd/cosign/cli/options/predicate.go), so `attest --type` means the same in both tools.
import { ModelsealError } from '../errors.js';

/** `--type` name -> predicateType URI, exactly as cosign maps them. */
export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** predicateType of SLSA provenance v1. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** predicateType of a CycloneDX BOM. */
export const CYCLONEDX_BOM = 'https://cyclonedx.org/bom';
/** predicateType of cosign's signature statement (`cosign sign` with new bundles). */
export const COSIGN_SIGN_V1 = 'https://sigstore.dev/cosign/sign/v1';

/**
 * The predicateType URI for a cosign `--type` name, or the argument itself when it is a URI.
 * Throws USAGE for anything else (an unknown name is never taken as a URI).
 */
export function predicateTypeFor(type: string): string {
  if (Object.hasOwn(PREDICATE_TYPES, type)) return PREDICATE_TYPES[type];
  let url: URL | undefined;
  try {
    url = new URL(type);
  } catch {
    url = undefined;
  }
  if (!url || !/^[a-z][a-z0-9+.-]*:$/.test(url.protocol) || !type.includes(':')) {
    throw new ModelsealError(
      'USAGE',
      `unknown attestation type '${type}' (use ${Object.keys(PREDICATE_TYPES).join(', ')} or a predicate URI)`,
    );
  }
  return type;
}

/** A short file-name word for a type: the cosign name if it has one, else 'attestation'. */
export function typeFileWord(type: string): string {
  if (Object.hasOwn(PREDICATE_TYPES, type)) return type;
  const name = Object.entries(PREDICATE_TYPES).find(([, uri]) => uri === type)?.[0];
  return name ?? 'attestation';
}
