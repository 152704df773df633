// DSSE v1 pre-authentication encoding and the raw signature over it (DER ECDSA with the curve's
// hash, or Ed25519 over the PAE bytes directly).
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { signingAlgorithm } from '../keys/signing-algorithm.js';

/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** `DSSEv1 SP len(type) SP type SP len(body) SP body`, lengths as ASCII decimal byte counts. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** Signs the PAE of (payloadType, payload) with a private key; returns the DER/raw signature. */
export function signDsse(privateKey: KeyObject, payloadType: string, payload: Buffer): Buffer {
  const alg = signingAlgorithm(privateKey);
  return cryptoSign(alg.hash, preAuthEncoding(payloadType, payload), privateKey);
}
