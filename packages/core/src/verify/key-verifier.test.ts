// keyVerifier on bundles built here: the key named by hint or by the older rawBytes, the wrong key,
// a certificate bundle, a modified payload, and the v0.2 legacy encoding, each with its exact outcome.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { preAuthEncoding } from '../oms/dsse.js';
import { keyVerifier } from './key-verifier.js';
import { legacyPreAuthEncoding } from './legacy-pae.js';
import { parsedBundle } from '../../../../test/sigstore/parsed-bundle.js';

const TYPE = 'application/vnd.in-toto+json';
const V1 = Buffer.from(JSON.stringify({ predicateType: 'https://model_signing/signature/v1.0' }));
const V02 = Buffer.from(JSON.stringify({ predicateType: 'https://model_signing/Digests/v0.1' }));
const mine = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: typeof mine.publicKey) => k.export({ type: 'spki', format: 'pem' }) as string;
/** The hint model_signing writes: hex SHA-256 of the SPKI PEM text. */
const HINT = createHash('sha256').update(pem(mine.publicKey)).digest('hex');
const OTHER_HINT = createHash('sha256').update(pem(other.publicKey)).digest('hex');

function bundle(verificationMaterial: Record<string, unknown>, sig: Buffer, payload = V1) {
  return parsedBundle({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial,
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: TYPE,
      signatures: [{ sig: sig.toString('base64') }],
    },
  });
}
const signed = (payload = V1, key = mine.privateKey) => sign('sha256', preAuthEncoding(TYPE, payload), key);
const verifier = keyVerifier({ publicKey: mine.publicKey });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );

describe('keyVerifier', () => {
  it('a bundle naming the key by hint (any case) verifies without warnings', async () => {
    expect(verifier.kind).toBe('key');
    for (const hint of [HINT, HINT.toUpperCase()]) {
      const res = await verifier.verify(bundle({ publicKey: { hint } }, signed()));
      expect(res).toEqual({
        payload: V1,
        payloadType: TYPE,
        signer: { kind: 'key', keyHint: HINT },
        warnings: [],
      });
    }
  });

  it("cosign v3 / sigstore-go's hint (base64 SHA-256 of the SPKI DER) names the key too", async () => {
    const der = mine.publicKey.export({ type: 'spki', format: 'der' });
    const b64 = createHash('sha256').update(der).digest('base64');
    const res = await verifier.verify(bundle({ publicKey: { hint: b64 } }, signed()));
    expect(res.warnings).toEqual([]);
    expect(res.signer).toEqual({ kind: 'key', keyHint: HINT });
    const changed = Buffer.from(
      JSON.stringify({ predicateType: 'https://model_signing/signature/v1.0', x: 2 }),
    );
    expect(
      await failure(verifier.verify(bundle({ publicKey: { hint: b64 } }, signed(), changed))),
    ).toMatchObject({
      code: 'BAD_SIGNATURE',
      message: 'model.sig: the signature does not verify with the signing key; the bundle was modified',
    });
  });

  it('another key named by hint, and the signature fails: WRONG_KEY naming both hints', async () => {
    expect(
      await failure(
        verifier.verify(bundle({ publicKey: { hint: OTHER_HINT } }, signed(V1, other.privateKey))),
      ),
    ).toEqual(
      expect.objectContaining({
        code: 'WRONG_KEY',
        message: `model.sig: signed by a different key (bundle key hint ${OTHER_HINT}, given key ${HINT})`,
      }),
    );
  });

  it('the hint is advisory: a hint naming another key still verifies with the given key, with a warning', async () => {
    const der = mine.publicKey.export({ type: 'spki', format: 'der' });
    const b64 = createHash('sha256').update(der).digest('base64');
    for (const hint of [OTHER_HINT, 'SHA256:not-a-hint-we-know']) {
      const res = await verifier.verify(bundle({ publicKey: { hint } }, signed()));
      expect(res.warnings).toEqual([
        `publicKey.hint ${hint} does not name the given key (${HINT}, or ${b64} in Sigstore's form); the signature verifies with the given key, and the hint is advisory`,
      ]);
    }
  });

  it('the older rawBytes shape: the right key verifies with a warning, another key or garbage is WRONG_KEY', async () => {
    const raw = (k: typeof mine.publicKey) => ({
      publicKey: { rawBytes: Buffer.from(pem(k)).toString('base64') },
    });
    const ok = await verifier.verify(bundle(raw(mine.publicKey), signed()));
    expect(ok.warnings).toEqual([
      'bundle uses the older verification material format (publicKey.rawBytes); re-sign to get publicKey.hint',
    ]);
    const wrong = 'model.sig: signed by a different key than the one given (publicKey.rawBytes differs)';
    expect(await failure(verifier.verify(bundle(raw(other.publicKey), signed())))).toMatchObject({
      code: 'WRONG_KEY',
      message: wrong,
    });
    expect(
      await failure(verifier.verify(bundle({ publicKey: { rawBytes: 'bm90IGEga2V5' } }, signed()))),
    ).toMatchObject({ code: 'WRONG_KEY', message: wrong });
  });

  it('a modified payload under a named key: BAD_SIGNATURE "the bundle was modified"', async () => {
    const changed = Buffer.from(
      JSON.stringify({ predicateType: 'https://model_signing/signature/v1.0', x: 1 }),
    );
    for (const vm of [
      { publicKey: { hint: HINT } },
      { publicKey: { rawBytes: Buffer.from(pem(mine.publicKey)).toString('base64') } },
    ]) {
      expect(await failure(verifier.verify(bundle(vm, signed(), changed)))).toMatchObject({
        code: 'BAD_SIGNATURE',
        message: 'model.sig: the signature does not verify with the signing key; the bundle was modified',
      });
    }
  });

  it('a bundle naming no key: verified with the given key, else BAD_SIGNATURE "wrong key or modified bundle"', async () => {
    for (const publicKey of [{}, { hint: '' }]) {
      const res = await verifier.verify(bundle({ publicKey }, signed()));
      expect(res.warnings).toEqual([]);
      expect(
        await failure(verifier.verify(bundle({ publicKey }, signed(V1, other.privateKey)))),
      ).toMatchObject({
        code: 'BAD_SIGNATURE',
        message: 'model.sig: the signature does not verify with the given key (wrong key or modified bundle)',
      });
    }
  });

  it('a certificate bundle: WRONG_KEY naming the option of the other mode, never a CLI flag', async () => {
    expect(
      await failure(verifier.verify(bundle({ certificate: { rawBytes: 'AAAA' } }, signed()))),
    ).toMatchObject({
      code: 'WRONG_KEY',
      message: 'model.sig: the bundle is signed with a certificate, not a bare key',
      remedy: { option: 'trustAnchors', action: 'set', to: 'verify it against its CA' },
    });
    const keyless = { certificate: { rawBytes: 'AAAA' }, tlogEntries: [{ logIndex: '1' }] };
    expect(await failure(verifier.verify(bundle(keyless, signed())))).toMatchObject({
      code: 'WRONG_KEY',
      message: 'model.sig: the bundle is signed with a certificate, not a bare key',
      remedy: { option: 'identity', action: 'set', to: 'verify it as a keyless signature' },
    });
  });

  it('a v0.2 statement in the legacy encoding verifies with the compatibility warning', async () => {
    const sig = sign('sha256', legacyPreAuthEncoding(TYPE, V02), mine.privateKey);
    const res = await verifier.verify(bundle({ publicKey: { hint: HINT } }, sig, V02));
    expect(res.warnings).toEqual([
      'signature uses the model_signing 0.2 compatibility encoding (legacy PAE, SHA-256); re-sign with a current signer',
    ]);
  });
});
