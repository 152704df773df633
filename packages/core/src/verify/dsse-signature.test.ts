import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { preAuthEncoding } from '../oms/dsse.js';
import { verifyDsseSignature } from './dsse-signature.js';
import { legacyPreAuthEncoding } from './legacy-pae.js';

const TYPE = 'application/vnd.in-toto+json';
const statement = (predicateType: string) =>
  Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', predicateType }));
const V1 = statement('https://model_signing/signature/v1.0');
const V02 = statement('https://model_signing/Digests/v0.1');

describe('verifyDsseSignature accepts exactly one encoding per statement version', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const standard = (p: Buffer) => sign('sha384', preAuthEncoding(TYPE, p), privateKey);
  const legacy = (p: Buffer) => sign('sha256', legacyPreAuthEncoding(TYPE, p), privateKey);

  it('a v1.0 statement: the standard PAE only, never the legacy one', () => {
    expect(verifyDsseSignature(publicKey, TYPE, V1, standard(V1))).toBe('standard');
    expect(verifyDsseSignature(publicKey, TYPE, V1, legacy(V1))).toBeNull();
  });

  it('a v0.2 Digests/v0.1 statement: the legacy PAE only', () => {
    expect(verifyDsseSignature(publicKey, TYPE, V02, legacy(V02))).toBe('legacy');
    expect(verifyDsseSignature(publicKey, TYPE, V02, standard(V02))).toBeNull();
  });

  it('another payload type, even carrying a v0.2 statement: the standard PAE only', () => {
    const other = 'application/json';
    const legacyOther = sign('sha256', legacyPreAuthEncoding(other, V02), privateKey);
    expect(verifyDsseSignature(publicKey, other, V02, legacyOther)).toBeNull();
    const std = sign('sha384', preAuthEncoding(other, V02), privateKey);
    expect(verifyDsseSignature(publicKey, other, V02, std)).toBe('standard');
  });
});
