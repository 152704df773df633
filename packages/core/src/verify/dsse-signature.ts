// Checks a DSSE signature with a public key: the standard PAE with the curve's hash first, then the
// model_signing 0.2.0 compat form (legacy PAE, SHA-256 on every curve).
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../sign/dsse.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { legacyPreAuthEncoding } from './legacy-pae.js';

/** The warning for a signature that verified only in the 'legacy' form. */
export const LEGACY_PAE_WARNING =
  'signature uses the model_signing 0.2 compatibility encoding (legacy PAE, SHA-256); re-sign with a current signer';

/** 'standard' or 'legacy' when the signature verifies, null when it does not. */
export function verifyDsseSignature(
  key: KeyObject,
  payloadType: string,
  payload: Buffer,
  sig: Buffer,
): 'standard' | 'legacy' | null {
  const alg = signingAlgorithm(key, 'verification key');
  const check = (hash: string | null, data: Buffer): boolean => {
    try {
      return cryptoVerify(hash, data, key, sig);
    } catch {
      return false;
    }
  };
  if (check(alg.hash, preAuthEncoding(payloadType, payload))) return 'standard';
  if (alg.kind === 'ecdsa' && check('sha256', legacyPreAuthEncoding(payloadType, payload))) return 'legacy';
  return null;
}
