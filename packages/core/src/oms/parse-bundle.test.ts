import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, parseBundle } from './parse-bundle.js';

const bundle = (over: Record<string, unknown> = {}, env: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'ab' }, tlogEntries: [] },
      dsseEnvelope: {
        payload: 'e30=',
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: 'AAAA', keyid: null }],
        ...env,
      },
      ...over,
    }),
  );

describe('decodeBase64Strict', () => {
  it('accepts padded and unpadded standard base64', () => {
    expect(decodeBase64Strict('e30=', 'x', 's').toString()).toBe('{}');
    expect(decodeBase64Strict('e30', 'x', 's').toString()).toBe('{}');
  });
  it.each(['e3=0', 'e30-', 'e3_0', 'e 30', 'e', '=', ''])('rejects %j', (v) => {
    expect(() => decodeBase64Strict(v, 'payload', 'f.sig')).toThrow(
      /^f\.sig: payload is (not valid base64|missing or empty)$/,
    );
  });
});

describe('parseBundle', () => {
  it('a file that is not JSON is named by its size, never quoted (it may be a secret given by mistake)', () => {
    const err = (() => {
      try {
        parseBundle(Buffer.from('TOKEN=hunter2-secret'), 's');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe('s: not valid JSON, the file may be truncated (20 bytes)');
  });

  it('a publicKey with no hint is accepted (cosign v3 may omit it); a hint or rawBytes that is not a string is not', () => {
    const vm = (publicKey: unknown) => bundle({ verificationMaterial: { publicKey } });
    expect(parseBundle(vm({}), 's').json.verificationMaterial).toEqual({ publicKey: {} });
    expect(() => parseBundle(vm({ hint: 7 }), 's')).toThrow(
      expect.objectContaining({
        code: 'MALFORMED_BUNDLE',
        message: 's: verificationMaterial.publicKey.hint must be a string',
      }),
    );
    expect(() => parseBundle(vm({ rawBytes: {} }), 's')).toThrow(
      's: verificationMaterial.publicKey.rawBytes must be a string',
    );
  });

  it('accepts keyid null, the older v0.3 media type spelling and a missing tlogEntries in key mode', () => {
    const b = parseBundle(
      bundle({
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.3',
        verificationMaterial: { publicKey: { rawBytes: 'AA==' } },
      }),
      's',
    );
    expect(b.envelope.payload.toString()).toBe('{}');
    expect(b.envelope.signatures).toEqual([{ sig: Buffer.from([0, 0, 0]) }]);
    expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle+json;version=0.3');
  });

  it('explains a message-signature bundle', () => {
    const b = JSON.parse(bundle().toString());
    delete b.dsseEnvelope;
    b.messageSignature = { signature: 'AAAA' };
    expect(() => parseBundle(Buffer.from(JSON.stringify(b)), 's')).toThrow(
      's: bundle has no dsseEnvelope (it holds a messageSignature; OMS signatures are DSSE envelopes)',
    );
  });

  it('rejects a v0.2 media type with UNSUPPORTED_MEDIA_TYPE and a chain without certificates', () => {
    expect(() =>
      parseBundle(bundle({ mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2' }), 's'),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }));
    expect(() =>
      parseBundle(bundle({ verificationMaterial: { x509CertificateChain: { certificates: [] } } }), 's'),
    ).toThrow('s: verificationMaterial.x509CertificateChain has no certificates');
  });
});
