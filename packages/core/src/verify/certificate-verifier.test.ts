// certificateVerifier on bundles signed here with keys and certificates from the real `openssl ca`:
// the verified signer, pinned leaves, validity at the leaf's notBefore or now (with warnings),
// key usage, the wrong material kinds, a modified payload and the legacy encoding, exactly.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsedBundle } from '../../../../test/sigstore/parsed-bundle.js';
import { pkiIssuer, type Issued } from '../../../../test/oms-test-pki.js';
import { preAuthEncoding } from '../oms/dsse.js';
import { certificateVerifier } from './certificate-verifier.js';
import { LEGACY_PAE_WARNING } from './dsse-signature.js';
import { legacyPreAuthEncoding } from './legacy-pae.js';

const EXTRA = `
[self_leaf_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
[self_nousage_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
[noext_leaf_ext]
basicConstraints = CA:FALSE
`;

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cert-verifier-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const issue = pkiIssuer(tmp, EXTRA);
const root = issue('root', 'rsa', 'ca_ext', null);
const inter = issue('inter', 'p384', 'ca_ext', root);
const leaf = issue('leaf', 'p256', 'leaf_ext', inter);
const TYPE = 'application/vnd.in-toto+json';
const V1 = Buffer.from(JSON.stringify({ predicateType: 'https://model_signing/signature/v1.0' }));
const V02 = Buffer.from(JSON.stringify({ predicateType: 'https://model_signing/Digests/v0.1' }));

function bundle(chain: Issued[], opts: { key?: KeyObject; payload?: Buffer; legacy?: boolean } = {}) {
  const payload = opts.payload ?? V1;
  const pae = opts.legacy ? legacyPreAuthEncoding(TYPE, payload) : preAuthEncoding(TYPE, payload);
  const sig = sign('sha256', pae, opts.key ?? chain[0].key);
  return parsedBundle({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      x509CertificateChain: { certificates: chain.map((c) => ({ rawBytes: c.cert.raw.toString('base64') })) },
    },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: TYPE,
      signatures: [{ sig: sig.toString('base64') }],
    },
  });
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected verify() to reject');
    },
    (e: unknown) => {
      const { code, message } = e as { code: string; message: string };
      return { code, message };
    },
  );

describe('certificateVerifier', () => {
  it('needs at least one trust anchor', () => {
    expect(() => certificateVerifier({ trustAnchors: [] })).toThrow(
      expect.objectContaining({
        code: 'UNTRUSTED_CHAIN',
        message: 'no trust anchors given',
        remedy: { option: 'trustAnchors', action: 'set' },
      }),
    );
  });

  it('verifies a chain to its root: payload, signer (subject, issuer, fingerprints), no warnings', async () => {
    const v = certificateVerifier({ trustAnchors: [root.cert] });
    expect(v.kind).toBe('certificate');
    const r = await v.verify(bundle([leaf, inter]));
    expect(r).toEqual({
      payload: V1,
      payloadType: TYPE,
      signer: {
        kind: 'certificate',
        subject: 'CN=leaf',
        issuer: 'CN=inter',
        fingerprint: leaf.cert.fingerprint256,
        anchor: root.cert.fingerprint256,
      },
      warnings: [],
    });
  });

  it('a pinned self-signed leaf verifies and is its own anchor', async () => {
    const self = issue('self', 'p256', 'self_leaf_ext', null);
    const r = await certificateVerifier({ trustAnchors: [root.cert, self.cert] }).verify(bundle([self]));
    expect(r.signer).toEqual({
      kind: 'certificate',
      subject: 'CN=self',
      issuer: 'CN=self',
      fingerprint: self.cert.fingerprint256,
      anchor: self.cert.fingerprint256,
    });
    const e = await failure(certificateVerifier({ trustAnchors: [root.cert] }).verify(bundle([self])));
    expect(e).toEqual({
      code: 'UNTRUSTED_CHAIN',
      message: `model.sig: certificate 'self' (issuer 'CN=self') does not chain to any trust anchor`,
    });
  });

  it('a leaf that may not sign: KEY_USAGE, pinned or not', async () => {
    const noUsage = issue('no-usage', 'p256', 'noext_leaf_ext', inter);
    expect(
      await failure(certificateVerifier({ trustAnchors: [root.cert] }).verify(bundle([noUsage, inter]))),
    ).toEqual({
      code: 'KEY_USAGE',
      message: `model.sig: certificate 'no-usage' has neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning`,
    });
    const selfNoUsage = issue('self-no-usage', 'p256', 'self_nousage_ext', null);
    const e = await failure(
      certificateVerifier({ trustAnchors: [selfNoUsage.cert] }).verify(bundle([selfNoUsage])),
    );
    expect(e.code).toBe('KEY_USAGE');
  });

  it('validity at the leaf notBefore (default) warns for each certificate expired now; "now" refuses', async () => {
    const oldInter = issue('old-inter', 'p384', 'ca_ext', root, '20190101000000Z', '20210101000000Z');
    const oldLeaf = issue('old-leaf', 'p256', 'leaf_ext', oldInter, '20200101000000Z', '20200601000000Z');
    const b = bundle([oldLeaf, oldInter]);
    const r = await certificateVerifier({ trustAnchors: [root.cert] }).verify(b);
    const note = "accepted because validity is checked at the leaf's notBefore, like model_signing";
    expect(r.warnings).toEqual([
      `certificate 'old-leaf' is expired or not yet valid now (valid ${oldLeaf.cert.validFrom} to ${oldLeaf.cert.validTo}); ${note}`,
      `certificate 'old-inter' is expired or not yet valid now (valid ${oldInter.cert.validFrom} to ${oldInter.cert.validTo}); ${note}`,
    ]);
    const e = await failure(
      certificateVerifier({ trustAnchors: [root.cert], validityTime: 'now' }).verify(b),
    );
    expect(e.code).toBe('CERTIFICATE_EXPIRED');
    expect(e.message).toMatch(/^model\.sig: certificate 'old-leaf' is not valid at \d{4}-\d\d-\d\dT/);
    const ok = await certificateVerifier({ trustAnchors: [root.cert], validityTime: 'now' }).verify(
      bundle([leaf, inter]),
    );
    expect(ok.warnings).toEqual([]);
  });

  it('a leaf whose notBefore is outside its issuer validity fails at signing time', async () => {
    const lateInter = issue('late-inter', 'p384', 'ca_ext', root, '20300101000000Z', '20390101000000Z');
    const early = issue('early-leaf', 'p256', 'leaf_ext', lateInter, '20200101000000Z', '20390101000000Z');
    const e = await failure(
      certificateVerifier({ trustAnchors: [root.cert] }).verify(bundle([early, lateInter])),
    );
    expect(e.code).toBe('CERTIFICATE_EXPIRED');
    expect(e.message).toBe(
      `model.sig: certificate 'late-inter' is not valid at 2020-01-01T00:00:00.000Z (valid ${lateInter.cert.validFrom} to ${lateInter.cert.validTo})`,
    );
  });

  it('a modified payload or a signature by another key: BAD_SIGNATURE', async () => {
    const v = certificateVerifier({ trustAnchors: [root.cert] });
    const b = bundle([leaf, inter]);
    b.envelope.payload = Buffer.from(V1.toString().replace('v1.0', 'v9.9'));
    const bad = {
      code: 'BAD_SIGNATURE',
      message: `model.sig: the signature does not verify with certificate 'leaf'; the bundle was modified`,
    };
    expect(await failure(v.verify(b))).toEqual(bad);
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(await failure(v.verify(bundle([leaf, inter], { key: otherKey })))).toEqual(bad);
  });

  it('the v0.2 legacy encoding verifies with a warning', async () => {
    const r = await certificateVerifier({ trustAnchors: [root.cert] }).verify(
      bundle([leaf, inter], { payload: V02, legacy: true }),
    );
    expect(r.warnings).toEqual([LEGACY_PAE_WARNING]);
  });

  it('an RSA leaf is an unsupported key', async () => {
    const rsa = issue('rsa-leaf', 'rsa', 'leaf_ext', inter);
    const e = await failure(certificateVerifier({ trustAnchors: [root.cert] }).verify(bundle([rsa, inter])));
    expect(e).toEqual({
      code: 'UNSUPPORTED_KEY',
      message: `certificate 'rsa-leaf': RSA keys are not supported (use EC P-256, P-384, P-521 or Ed25519)`,
    });
  });

  it('a key bundle is not a certificate: UNTRUSTED_CHAIN naming the publicKey option', async () => {
    const v = certificateVerifier({ trustAnchors: [root.cert] });
    const base = bundle([leaf, inter]);
    const e = await v
      .verify(parsedBundle({ ...base.json, verificationMaterial: { publicKey: { hint: 'x' } } }, 'other.sig'))
      .catch((err: unknown) => err);
    expect(e).toMatchObject({
      code: 'UNTRUSTED_CHAIN',
      message: 'other.sig: the bundle is signed with a bare key, not a certificate',
      remedy: { option: 'publicKey', action: 'set', to: 'verify it with the key' },
    });
  });

  it('the leaf alone in `certificate` (cosign v0.3 referrer): verifies when its issuer is an anchor', async () => {
    const base = bundle([leaf, inter]);
    const single = parsedBundle(
      {
        ...base.json,
        verificationMaterial: {
          certificate: { rawBytes: leaf.cert.raw.toString('base64') },
          tlogEntries: [],
        },
      },
      'cosign.sigstore.json',
    );
    const r = await certificateVerifier({ trustAnchors: [root.cert, inter.cert] }).verify(single);
    expect(r.signer).toEqual({
      kind: 'certificate',
      subject: 'CN=leaf',
      issuer: 'CN=inter',
      fingerprint: leaf.cert.fingerprint256,
      anchor: inter.cert.fingerprint256,
    });
    // Without the intermediate among the anchors there is no path: the bundle does not carry it.
    expect(await failure(certificateVerifier({ trustAnchors: [root.cert] }).verify(single))).toEqual({
      code: 'UNTRUSTED_CHAIN',
      message: `cosign.sigstore.json: certificate 'leaf' (issuer 'CN=inter') does not chain to any trust anchor`,
    });
    // A leaf from another PKI (as a Fulcio one is) does not chain either.
    const stranger = issue('stranger', 'p256', 'leaf_ext', issue('other-root', 'p256', 'ca_ext', null));
    const foreign = parsedBundle(
      {
        ...base.json,
        verificationMaterial: { certificate: { rawBytes: stranger.cert.raw.toString('base64') } },
      },
      'keyless.sig',
    );
    expect(
      await failure(certificateVerifier({ trustAnchors: [root.cert, inter.cert] }).verify(foreign)),
    ).toMatchObject({ code: 'UNTRUSTED_CHAIN' });
  });
});
