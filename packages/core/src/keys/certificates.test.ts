import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateExtensions, hasSigningUsage, loadCertificates } from './certificates.js';
import { VECTORS_DIR } from '../../../../test/shared-vectors.js';

const KEYS = path.join(VECTORS_DIR, 'oms-python/keys/certificate');

describe('certificateExtensions', () => {
  it('decodes KeyUsage and ExtendedKeyUsage of the model_signing test leaf', () => {
    const [leaf] = loadCertificates(readFileSync(path.join(KEYS, 'signing-key-cert.pem')));
    expect(certificateExtensions(leaf)).toEqual({
      keyUsage: { digitalSignature: true, keyCertSign: false },
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.3'],
    });
    expect(hasSigningUsage(leaf)).toBe(true);
  });

  it('decodes a CA: keyCertSign, no signing usage', () => {
    const [root] = loadCertificates(readFileSync(path.join(KEYS, 'ca-cert.pem')));
    const ext = certificateExtensions(root);
    expect(ext.keyUsage?.keyCertSign).toBe(true);
    expect(ext.keyUsage?.digitalSignature).toBe(false);
    expect(hasSigningUsage(root)).toBe(false);
  });

  it('finds every certificate in a file with text around the PEM blocks', () => {
    const text = `subject=CN=a\n${readFileSync(path.join(KEYS, 'ca-cert.pem'), 'utf8')}\nnote\n${readFileSync(path.join(KEYS, 'int-ca-cert.pem'), 'utf8')}`;
    expect(loadCertificates(text).map((c) => c.subject)).toEqual(['CN=root-ca', 'CN=intermediate-ca']);
    expect(() => loadCertificates('nothing', 'x.pem')).toThrow(
      'x.pem: no PEM certificate (BEGIN CERTIFICATE) found',
    );
  });
});
