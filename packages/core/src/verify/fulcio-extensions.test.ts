// Fulcio extension decoding: DER UTF8String for .8+, raw bytes for the legacy .1-.6, SAN kinds.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFulcioExtension, readFulcioIdentity } from './fulcio-extensions.js';
import { VECTORS_DIR } from '../../../../test/shared-vectors.js';

const VECTORS = `${VECTORS_DIR}/`;
const leaf = (file: string) => {
  const b = JSON.parse(readFileSync(`${VECTORS}${file}`, 'utf8'));
  return Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64');
};

describe('decodeFulcioExtension', () => {
  it('decodes a DER UTF8String (.8 and later) and a raw legacy value (.1-.6)', () => {
    const url = 'https://token.actions.githubusercontent.com';
    const der = Buffer.concat([Buffer.from([0x0c, url.length]), Buffer.from(url)]);
    expect(decodeFulcioExtension(der, false)).toBe(url);
    expect(decodeFulcioExtension(Buffer.from(url), true)).toBe(url);
    const long = 'x'.repeat(200); // long-form DER length
    expect(
      decodeFulcioExtension(Buffer.concat([Buffer.from([0x0c, 0x81, 200]), Buffer.from(long)]), false),
    ).toBe(long);
  });

  it('refuses a .8+ value that is not a UTF8String (no raw-string fallback)', () => {
    const printable = Buffer.concat([Buffer.from([0x13, 3]), Buffer.from('abc')]);
    expect(() => decodeFulcioExtension(printable, false)).toThrow(
      'Fulcio extension is not a DER UTF8String (tag 0x13)',
    );
    expect(() => decodeFulcioExtension(Buffer.from('https://x'), false)).toThrow();
  });
});

describe('readFulcioIdentity', () => {
  it('reads an email SAN and the V2 issuer from a public-good certificate (Python model_signing vector)', () => {
    const id = readFulcioIdentity(leaf('oms-python/v1.1.0-sigstore/model.sig'));
    expect(id.identity).toBe('stefanb@us.ibm.com');
    expect(id.issuer).toBe('https://sigstore.verify.ibm.com/oauth2');
    expect(id.extensions.issuer).toBe('https://sigstore.verify.ibm.com/oauth2');
  });

  it('reads the cosign bundle signer', () => {
    const id = readFulcioIdentity(leaf('cosign/oci-attestation.sigstore.json'));
    expect(id).toMatchObject({ identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' });
  });
});
