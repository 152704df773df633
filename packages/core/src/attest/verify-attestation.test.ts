// signStatement() + verifyAttestations() with real P-256 keys, the cosign public-good OCI attestation vector,
// and one failure code per defect (wrong type, wrong subject, altered payload, wrong key).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from '../../../../test/shared-vectors.js';
import { rejectionOf } from '../../../../test/rejection.js';
import { keySigner } from '../sign/key-signer.js';
import { serializeBundle } from '../sign/dsse-bundle.js';
import { keyVerifier } from '../verify/key-verifier.js';
import { keylessVerifier } from '../verify/sigstore-verifier.js';
import { signStatement } from './sign-statement.js';
import { verifyAttestations } from './verify-attestation.js';

const keys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ROOT = 'ab'.repeat(32);
const MANIFEST = 'cd'.repeat(32);
const SLSA = 'https://slsa.dev/provenance/v1';

async function bundleBytes(privateKey: ReturnType<typeof keys>['privateKey'], predicateType = SLSA) {
  const bundle = await signStatement(
    {
      subject: [
        { name: 'model', digest: { sha256: ROOT } },
        { name: 'manifest', digest: { sha256: MANIFEST } },
      ],
      predicateType,
      predicate: { buildDefinition: { buildType: 'x:y' } },
    },
    keySigner({ privateKey }),
  );
  return serializeBundle(bundle);
}

describe('verifyAttestations with a key', () => {
  it('passes for the OMS root or the manifest digest and returns the statement', async () => {
    const k = keys();
    const bytes = await bundleBytes(k.privateKey);
    const env = JSON.parse(bytes.toString('utf8')).dsseEnvelope;
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    expect(payload._type).toBe('https://in-toto.io/Statement/v1');
    for (const digest of [ROOT, `sha256:${MANIFEST}`]) {
      const r = await verifyAttestations([{ source: 'a.json', bytes }], {
        verifier: keyVerifier({ publicKey: k.publicKey }),
        predicateType: SLSA,
        subjectDigests: [digest],
      });
      expect(r.statement.predicate).toEqual({ buildDefinition: { buildType: 'x:y' } });
      expect(r.signer.kind).toBe('key');
      expect(r.checks).toEqual([
        expect.objectContaining({ source: 'a.json', verified: true, predicateType: SLSA }),
      ]);
    }
  });

  it('one good bundle among bad ones is enough; each check says why', async () => {
    const k = keys();
    const other = keys();
    const good = await bundleBytes(k.privateKey);
    const wrongKey = await bundleBytes(other.privateKey);
    const wrongType = await bundleBytes(k.privateKey, 'https://cyclonedx.org/bom');
    const r = await verifyAttestations(
      [
        { source: 'wrong-key', bytes: wrongKey },
        { source: 'wrong-type', bytes: wrongType },
        { source: 'good', bytes: good },
      ],
      { verifier: keyVerifier({ publicKey: k.publicKey }), predicateType: SLSA, subjectDigests: [ROOT] },
    );
    expect(r.source).toBe('good');
    expect(r.checks.map((c) => [c.source, c.verified, c.error?.code])).toEqual([
      ['wrong-key', false, 'WRONG_KEY'],
      ['wrong-type', false, 'ATTESTATION_MISSING'],
      ['good', true, undefined],
    ]);
  });

  it('fails with SUBJECT_MISMATCH, ATTESTATION_MISSING, BAD_SIGNATURE, WRONG_KEY', async () => {
    const k = keys();
    const bytes = await bundleBytes(k.privateKey);
    const opts = { verifier: keyVerifier({ publicKey: k.publicKey }), predicateType: SLSA };
    const subject = await rejectionOf(
      verifyAttestations([{ source: 'a', bytes }], { ...opts, subjectDigests: ['ef'.repeat(32)] }),
    );
    expect(subject.code).toBe('SUBJECT_MISMATCH');
    expect(subject.message).toBe(
      `a: the attestation is about sha256:${ROOT}, sha256:${MANIFEST}, not ${'ef'.repeat(32)}`,
    );
    const type = await rejectionOf(
      verifyAttestations([{ source: 'a', bytes }], {
        ...opts,
        predicateType: 'https://cyclonedx.org/bom',
        subjectDigests: [ROOT],
      }),
    );
    expect([type.code, type.message]).toEqual([
      'ATTESTATION_MISSING',
      "none of the 1 attestations has predicateType 'https://cyclonedx.org/bom'",
    ]);
    expect((await rejectionOf(verifyAttestations([], { ...opts, subjectDigests: [ROOT] }))).code).toBe(
      'ATTESTATION_MISSING',
    );

    const json = JSON.parse(bytes.toString('utf8'));
    const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = 'ef'.repeat(32);
    json.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const altered = await rejectionOf(
      verifyAttestations([{ source: 'a', bytes: Buffer.from(JSON.stringify(json)) }], {
        ...opts,
        subjectDigests: ['ef'.repeat(32)],
      }),
    );
    expect(altered.code).toBe('BAD_SIGNATURE');
    const wrong = await rejectionOf(
      verifyAttestations([{ source: 'a', bytes }], {
        verifier: keyVerifier({ publicKey: keys().publicKey }),
        predicateType: SLSA,
        subjectDigests: [ROOT],
      }),
    );
    expect(wrong.code).toBe('WRONG_KEY');
  });
});

describe('the cosign OCI attestation vector goes through the same code', () => {
  const bytes = readFileSync(`${VECTORS_DIR}/cosign/oci-attestation.sigstore.json`);
  const verifier = () =>
    keylessVerifier({
      identity: 'cody@soyland.com',
      issuer: 'https://github.com/login/oauth',
      trustedRoot: `${VECTORS_DIR}/cosign/trusted_root_pgi.json`,
    });
  const IMAGE = '732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';

  it('verifies as a custom attestation (Statement v0.1) about its image digest', async () => {
    const r = await verifyAttestations([{ source: 'cosign', bytes }], {
      verifier: verifier(),
      predicateType: 'https://cosign.sigstore.dev/attestation/v1',
      subjectDigests: [`sha256:${IMAGE}`],
    });
    expect(r.statement._type).toBe('https://in-toto.io/Statement/v0.1');
    expect(r.statement.subject).toEqual([{ name: '127.0.0.1:60943/repo', digest: { sha256: IMAGE } }]);
    expect(r.statement.predicate).toEqual({ Data: '{"foo": "bar"}\n', Timestamp: '2025-02-28T19:18:11Z' });
    expect(r.signer).toMatchObject({ kind: 'keyless', identity: 'cody@soyland.com' });
  });

  it('another digest is SUBJECT_MISMATCH; another identity is IDENTITY_MISMATCH', async () => {
    const opts = { predicateType: 'https://cosign.sigstore.dev/attestation/v1' };
    expect(
      (
        await rejectionOf(
          verifyAttestations([{ source: 'cosign', bytes }], {
            ...opts,
            verifier: verifier(),
            subjectDigests: [IMAGE.replace(/^7/, '8')],
          }),
        )
      ).code,
    ).toBe('SUBJECT_MISMATCH');
    const other = keylessVerifier({
      identity: 'someone@soyland.com',
      issuer: 'https://github.com/login/oauth',
      trustedRoot: `${VECTORS_DIR}/cosign/trusted_root_pgi.json`,
    });
    expect(
      (
        await rejectionOf(
          verifyAttestations([{ source: 'cosign', bytes }], {
            ...opts,
            verifier: other,
            subjectDigests: [IMAGE],
          }),
        )
      ).code,
    ).toBe('IDENTITY_MISMATCH');
  });
});
