// The BundleVerifier contract: checks a bundle's signature and trust, returns the signed payload.
// Implementations: key (public key), certificate (trust anchors), sigstore (trusted root + identity policy).
// Comparing the payload with the model on disk is done afterwards by the verify verb, for every kind alike.

import type { ParsedBundle } from './parse-bundle.js';

/** Who signed, as established by the verifier. */
export type SignerIdentity =
  | { kind: 'key'; keyHint?: string }
  | {
      kind: 'certificate';
      subject: string;
      issuer: string;
      /** SHA-256 fingerprint of the leaf (colon-separated hex, as node:crypto prints it). */
      fingerprint: string;
      /** SHA-256 fingerprint of the trust anchor the chain ended at. */
      anchor?: string;
    }
  | {
      kind: 'keyless';
      identity: string;
      issuer: string;
      /** Fulcio extensions decoded to strings, keyed by cosign flag names (githubWorkflowRepository, ...). */
      extensions: Record<string, string>;
      /** Verified signing time sources, ISO 8601. */
      timestamps: { kind: 'tlog' | 'tsa'; time: string }[];
      tlogIndex?: string;
    };

/**
 * What a BundleVerifier proved: the signed payload, who signed it, and warnings (e.g. an
 * --insecure-ignore-* check that was skipped).
 */
export interface VerifiedBundle {
  /** Exact signed DSSE payload bytes. */
  payload: Buffer;
  payloadType: string;
  signer: SignerIdentity;
  /** Non-fatal notes for the user (legacy format, ignored tlog, ...). */
  warnings: string[];
}

/**
 * Checks a parsed bundle's signature and signer (key, certificate chain or Sigstore identity);
 * verify() resolves with what was verified or rejects with a verification code (WRONG_KEY,
 * BAD_SIGNATURE, UNTRUSTED_CHAIN, IDENTITY_MISMATCH, ...).
 */
export interface BundleVerifier {
  readonly kind: 'key' | 'certificate' | 'keyless';
  verify(bundle: ParsedBundle): Promise<VerifiedBundle>;
}
