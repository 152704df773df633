// The Signer contract: something that signs DSSE PAE bytes and says how a verifier finds its key.
// Implementations: key (PEM / cosign key file), certificate (leaf + chain), keyless (Fulcio + Rekor + TSA).

import type { SerializedBundle } from '@sigstore/bundle';

/** How a verifier identifies the signing key, as it goes into `verificationMaterial`. */
export type KeyMaterial =
  | { kind: 'publicKey'; hint: string }
  | { kind: 'certificateChain'; certificatesDer: Buffer[] } // leaf first
  | { kind: 'certificate'; certificateDer: Buffer };

/**
 * Produces a complete Sigstore bundle v0.3 (DSSE) over an in-toto statement.
 * Key and certificate signers sign locally; the keyless signer also talks to Fulcio, Rekor and a TSA.
 */
export interface BundleSigner {
  /** Short name for messages and --json output: 'key' | 'certificate' | 'keyless'. */
  readonly kind: 'key' | 'certificate' | 'keyless';
  signStatement(statement: Buffer, payloadType: string): Promise<SerializedBundle>;
}
