import { describe, expect, it } from 'vitest';
import { ErrorCodes, isSignatureFault, ModelsealError } from './errors.js';

describe('isSignatureFault', () => {
  it('is true for the codes that fault the signature file, including an unparsable bundle', () => {
    const faults = Object.keys(ErrorCodes).filter(isSignatureFault).sort();
    expect(faults).toEqual(
      [
        'BAD_SIGNATURE',
        'CERTIFICATE_EXPIRED',
        'EXTENSION_MISMATCH',
        'IDENTITY_MISMATCH',
        'ISSUER_MISMATCH',
        'KEY_USAGE',
        'MALFORMED_BUNDLE',
        'SCT_INVALID',
        'TIMESTAMP_INVALID',
        'TLOG_INVALID',
        'TLOG_MISSING',
        'UNTRUSTED_CHAIN',
        'WRONG_KEY',
      ].sort(),
    );
  });

  it('is false for model faults, input errors and strings that are no code', () => {
    for (const code of [
      'TAMPERED_FILE',
      'MISSING_FILE',
      'DIGEST_MISMATCH',
      'SIGNATURE_MISSING',
      'USAGE',
      'NOT_FOUND',
      'wrong_key',
      '',
    ])
      expect(isSignatureFault(code), code).toBe(false);
  });

  it('every signature fault but MALFORMED_BUNDLE is a verification failure (exit 1)', () => {
    for (const code of Object.values(ErrorCodes).filter(isSignatureFault))
      expect(new ModelsealError(code, 'x').kind, code).toBe(
        code === 'MALFORMED_BUNDLE' ? 'input' : 'verification',
      );
  });
});
