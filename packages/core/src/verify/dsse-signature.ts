// Checks a DSSE signature with a public key, in exactly one encoding chosen by what was signed:
// a model_signing 0.2 `Digests/v0.1` statement only in that signer's compat form (legacy PAE,
// SHA-256 on every curve), everything else only in the standard PAE with the curve's hash.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../oms/dsse.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { OMS_LEGACY_PREDICATE_TYPE } from '../oms/statement.js';
import { isJsonObject } from '../json-object.js';
import { legacyPreAuthEncoding } from './legacy-pae.js';

/** The warning for a signature that verified only in the 'legacy' form. */
export const LEGACY_PAE_WARNING =
  'signature uses the model_signing 0.2 compatibility encoding (legacy PAE, SHA-256); re-sign with a current signer';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** 'legacy' for an in-toto payload whose predicateType is model_signing 0.2's Digests/v0.1, else 'standard'. */
export function dsseEncodingFor(payloadType: string, payload: Buffer): 'standard' | 'legacy' {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return 'standard';
  try {
    const statement: unknown = JSON.parse(payload.toString('utf8'));
    return isJsonObject(statement) && statement.predicateType === OMS_LEGACY_PREDICATE_TYPE
      ? 'legacy'
      : 'standard';
  } catch {
    return 'standard';
  }
}

/** The encoding that verified ('standard' or 'legacy', see dsseEncodingFor), or null when it does not verify. */
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
  if (dsseEncodingFor(payloadType, payload) === 'standard')
    return check(alg.hash, preAuthEncoding(payloadType, payload)) ? 'standard' : null;
  return alg.kind === 'ecdsa' && check('sha256', legacyPreAuthEncoding(payloadType, payload))
    ? 'legacy'
    : null;
}
