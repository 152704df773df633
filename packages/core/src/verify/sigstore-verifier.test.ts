// Verifies real public-good keyless bundles (Python model_signing, cosign) offline, and proves each failure code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keylessVerifier } from './sigstore-verifier.js';
import type { ModelsealError } from '../errors.js';
import { parsedBundle as parsed } from '../../../../test/sigstore/parsed-bundle.js';
import { VECTORS_DIR } from '../../../../test/shared-vectors.js';

const VECTORS = `${VECTORS_DIR}/`;
const IBM = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };

const vector = (v: string) =>
  JSON.parse(readFileSync(`${VECTORS}oms-python/${v}-sigstore/model.sig`, 'utf8')) as Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'PASSED';
}

describe('keylessVerifier on the Python model_signing keyless vectors (public-good root from @sigstore/tuf)', () => {
  for (const v of ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0']) {
    it(`${v}-sigstore verifies with the right identity and issuer`, async () => {
      const json = vector(v);
      const res = await keylessVerifier(IBM).verify(parsed(json));
      expect(
        res.payload.equals(Buffer.from((json.dsseEnvelope as { payload: string }).payload, 'base64')),
      ).toBe(true);
      expect(res.payloadType).toBe('application/vnd.in-toto+json');
      expect(res.warnings).toEqual([]);
      expect(res.signer.kind).toBe('keyless');
      if (res.signer.kind !== 'keyless') return;
      expect(res.signer.identity).toBe(IBM.identity);
      expect(res.signer.issuer).toBe(IBM.issuer);
      expect(res.signer.extensions).toEqual({ issuerV1: IBM.issuer, issuer: IBM.issuer });
      const tlog = (
        json.verificationMaterial as { tlogEntries: { logIndex: string; integratedTime: string }[] }
      ).tlogEntries[0];
      expect(res.signer.tlogIndex).toBe(tlog.logIndex);
      expect(res.signer.timestamps).toContainEqual({
        kind: 'tlog',
        time: new Date(Number(tlog.integratedTime) * 1000).toISOString(),
      });
      expect(res.signer.timestamps.some((t) => t.kind === 'tsa')).toBe(v === 'v1.1.0');
    });

    it(`${v}-sigstore fails with another identity, another issuer, or an unanchored-prefix regexp`, async () => {
      const b = parsed(vector(v));
      expect(await codeOf(keylessVerifier({ ...IBM, identity: 'someone@us.ibm.com' }).verify(b))).toBe(
        'IDENTITY_MISMATCH',
      );
      expect(await codeOf(keylessVerifier({ ...IBM, issuer: 'https://accounts.google.com' }).verify(b))).toBe(
        'ISSUER_MISMATCH',
      );
      // unanchored, 'stefanb@us.ibm.co' would match 'stefanb@us.ibm.com'; anchored it must not
      expect(
        await codeOf(
          keylessVerifier({ identityRegExp: 'stefanb@us\\.ibm\\.co', issuer: IBM.issuer }).verify(b),
        ),
      ).toBe('IDENTITY_MISMATCH');
      expect(
        await codeOf(
          keylessVerifier({ identityRegExp: 'tefanb@us\\.ibm\\.com', issuer: IBM.issuer }).verify(b),
        ),
      ).toBe('IDENTITY_MISMATCH');
      expect(
        await codeOf(
          keylessVerifier({
            identityRegExp: '[a-z]+@us\\.ibm\\.com',
            issuerRegExp: 'https://sigstore\\.verify\\.ibm\\.com/.*',
          }).verify(b),
        ),
      ).toBe('PASSED');
    });
  }

  it('a tampered DSSE payload fails with BAD_SIGNATURE', async () => {
    const json = clone(vector('v1.0.0'));
    const env = json.dsseEnvelope as { payload: string };
    const stmt = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    stmt.predicate.resources[0].digest = '0'.repeat(64);
    env.payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
    const err = (await keylessVerifier(IBM)
      .verify(parsed(json))
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('BAD_SIGNATURE');
    expect(err.message).toBe(
      'model.sig: the DSSE signature does not match the signed payload and certificate',
    );
  });

  it('a message-signature bundle (not DSSE) is MALFORMED_BUNDLE, and ignoreSct adds its warning', async () => {
    const json = clone(vector('v1.0.0'));
    delete json.dsseEnvelope;
    json.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.alloc(32).toString('base64') },
      signature: Buffer.alloc(64).toString('base64'),
    };
    // the envelope part of ParsedBundle is irrelevant here: the verifier reads the bundle JSON
    const err = (await keylessVerifier(IBM)
      .verify({ ...parsed(vector('v1.0.0')), json })
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toMatchObject({
      code: 'MALFORMED_BUNDLE',
      message: 'model.sig: expected a DSSE envelope, found a messageSignature bundle',
    });
    const res = await keylessVerifier({ ...IBM, ignoreSct: true }).verify(parsed(vector('v1.0.0')));
    expect(res.warnings).toEqual(['embedded SCT requirement disabled (option ignoreSct)']);
  });

  it('a tampered tlog entry fails with TLOG_INVALID', async () => {
    const json = clone(vector('v1.0.0'));
    const entry = (json.verificationMaterial as { tlogEntries: { integratedTime: string }[] }).tlogEntries[0];
    entry.integratedTime = String(Number(entry.integratedTime) + 1);
    expect(await codeOf(keylessVerifier(IBM).verify(parsed(json)))).toBe('TLOG_INVALID');
  });

  it('without its Rekor entry: TLOG_MISSING; with ignoreTlog the TSA timestamp carries it, otherwise no signing time', async () => {
    for (const v of ['v1.0.0', 'v1.1.0']) {
      const json = clone(vector(v));
      (json.verificationMaterial as { tlogEntries: unknown[] }).tlogEntries = [];
      await expect(keylessVerifier(IBM).verify(parsed(json))).rejects.toMatchObject({
        code: 'TLOG_MISSING',
        message: 'model.sig: the bundle has no transparency-log entry',
      });
    }
    const noTsa = clone(vector('v1.0.0'));
    (noTsa.verificationMaterial as { tlogEntries: unknown[] }).tlogEntries = [];
    expect(await codeOf(keylessVerifier({ ...IBM, ignoreTlog: true }).verify(parsed(noTsa)))).toBe(
      'TIMESTAMP_INVALID',
    );
    const withTsa = clone(vector('v1.1.0'));
    (withTsa.verificationMaterial as { tlogEntries: unknown[] }).tlogEntries = [];
    const res = await keylessVerifier({ ...IBM, ignoreTlog: true }).verify(parsed(withTsa));
    expect(res.warnings).toEqual(['transparency-log requirement disabled (option ignoreTlog)']);
    expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind)).toEqual(['tsa']);
  });

  it('a tlog entry without an inclusion promise (proof only) proves no signing time: TIMESTAMP_INVALID, unless a TSA token does', async () => {
    // The entry still verifies by its inclusion proof and checkpoint, so the tlog requirement is met;
    // only the timestamp threshold (one signing time at least) refuses it.
    const noPromise = clone(vector('v1.0.0'));
    delete (noPromise.verificationMaterial as { tlogEntries: { inclusionPromise?: unknown }[] })
      .tlogEntries[0].inclusionPromise;
    const err = (await keylessVerifier(IBM)
      .verify(parsed(noPromise))
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('TIMESTAMP_INVALID');
    expect(err.message).toBe(
      'model.sig: no signing time: the bundle has neither an RFC 3161 timestamp nor a transparency-log entry with an inclusion promise',
    );
    const withTsa = clone(vector('v1.1.0'));
    const tsaToken = (
      withTsa.verificationMaterial as {
        timestampVerificationData: { rfc3161Timestamps: unknown[] };
      }
    ).timestampVerificationData.rfc3161Timestamps;
    expect(tsaToken).toHaveLength(1);
    delete (withTsa.verificationMaterial as { tlogEntries: { inclusionPromise?: unknown }[] }).tlogEntries[0]
      .inclusionPromise;
    const res = await keylessVerifier(IBM).verify(parsed(withTsa));
    expect(res.warnings).toEqual([]);
    expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind)).toEqual(['tsa']);
    // ...and without the TSA token as well: nothing is left to prove the time
    tsaToken.length = 0;
    expect(await codeOf(keylessVerifier(IBM).verify(parsed(withTsa)))).toBe('TIMESTAMP_INVALID');
  });

  it('a certificate from outside the trusted root fails with UNTRUSTED_CHAIN', async () => {
    const otherRoot = `${VECTORS}cosign/trusted_root_pgi.json`;
    const root = JSON.parse(readFileSync(otherRoot, 'utf8'));
    // keep only the 2021-2022 Fulcio CA: the vectors' leaf certificates come from the current one
    root.certificateAuthorities = root.certificateAuthorities.filter(
      (ca: { validFor: { end?: string } }) => ca.validFor.end !== undefined,
    );
    expect(root.certificateAuthorities.length).toBe(1);
    const { TrustedRoot } = await import('@sigstore/protobuf-specs');
    const v = keylessVerifier({ ...IBM, trustedRoot: TrustedRoot.fromJSON(root) });
    const err = (await v.verify(parsed(vector('v1.0.0'))).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(err.code).toBe('UNTRUSTED_CHAIN');
    expect(err.message).toBe(
      'model.sig: the signing certificate was not issued by any CA in the trusted root',
    );
  });

  it('refuses bundles that are not keyless: a key-signed bundle -> USAGE, a broken one -> MALFORMED_BUNDLE', async () => {
    const keyBundle = JSON.parse(readFileSync(`${VECTORS}oms-python/v1.1.0-elliptic-key/model.sig`, 'utf8'));
    const err = (await keylessVerifier(IBM)
      .verify(parsed(keyBundle))
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe('model.sig: the bundle is signed with a public key, not a Sigstore certificate');
    expect((err as unknown as ModelsealError).remedy).toEqual({
      option: 'publicKey',
      action: 'set',
      to: 'verify it with the key',
    });
    const broken = clone(vector('v1.0.0'));
    (broken.verificationMaterial as Record<string, unknown>).certificate = { rawBytes: 'AAAA' };
    expect(await codeOf(keylessVerifier(IBM).verify(parsed(broken)))).toBe('MALFORMED_BUNDLE');
  });

  it('refuses a policy without identity or issuer (no "accept anyone")', () => {
    const remedyOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ModelsealError).remedy;
      }
    };
    expect(() => keylessVerifier({ issuer: IBM.issuer })).toThrow(
      'keyless verification needs the expected certificate identity (option identity or identityRegExp); accepting any signer is not allowed',
    );
    expect(remedyOf(() => keylessVerifier({ issuer: IBM.issuer }))).toEqual({
      option: 'identity',
      action: 'set',
    });
    expect(remedyOf(() => keylessVerifier({ identity: IBM.identity }))).toEqual({
      option: 'issuer',
      action: 'set',
    });
    expect(() => keylessVerifier({ identity: '', issuer: '' })).toThrow(
      /accepting any signer is not allowed/,
    );
  });
});

describe('keylessVerifier on the cosign OCI attestation bundle', () => {
  const bundle = () =>
    parsed(
      JSON.parse(readFileSync(`${VECTORS}cosign/oci-attestation.sigstore.json`, 'utf8')),
      'oci-attestation.sigstore.json',
    );
  const root = `${VECTORS}cosign/trusted_root_pgi.json`;

  it('verifies against trusted_root_pgi.json with its signer identity', async () => {
    const res = await keylessVerifier({
      identity: 'cody@soyland.com',
      issuer: 'https://github.com/login/oauth',
      trustedRoot: root,
    }).verify(bundle());
    expect(res.payloadType).toBe('application/vnd.in-toto+json');
    expect(JSON.parse(res.payload.toString('utf8'))._type).toMatch(/^https:\/\/in-toto\.io\/Statement\/v/);
    expect(res.signer.kind === 'keyless' && res.signer.identity).toBe('cody@soyland.com');
  });

  it('fails with another identity and with a missing trusted-root file', async () => {
    expect(
      await codeOf(
        keylessVerifier({
          identity: 'cody@soyland.co',
          issuer: 'https://github.com/login/oauth',
          trustedRoot: root,
        }).verify(bundle()),
      ),
    ).toBe('IDENTITY_MISMATCH');
    expect(
      await codeOf(
        keylessVerifier({
          identity: 'cody@soyland.com',
          issuer: 'https://github.com/login/oauth',
          trustedRoot: '/nonexistent/tr.json',
        }).verify(bundle()),
      ),
    ).toBe('NOT_FOUND');
  });
});
