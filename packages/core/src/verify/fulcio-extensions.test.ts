// Fulcio extension decoding: DER UTF8String for .8+, raw bytes for the legacy .1-.6, SAN kinds.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFulcioExtension, readFulcioIdentity } from './fulcio-extensions.js';
import { VECTORS_DIR } from '../../../../test/shared-vectors.js';
import { oddLeafIssuer, type OddLeaf } from '../../../../test/sigstore/odd-leaf.js';

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

const ARC = '1.3.6.1.4.1.57264.1.';
const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** A real DER leaf (made with @peculiar/x509) carrying exactly `leaf`'s SAN entries and extensions. */
const certificate = (leaf: OddLeaf): Promise<Buffer> =>
  oddLeafIssuer(leaf)({
    publicKey: signer.publicKey.export({ type: 'spki', format: 'der' }),
    subjectAltName: '',
    extensions: [],
    issuerName: 'CN=fulcio-extensions-test',
    caPrivateKey: ca.privateKey,
    now: new Date(),
  });
const EMAIL = [{ type: 'email' as const, value: 'dev@example.com' }];
/** readFulcioIdentity's result, or the message it threw. */
async function read(leaf: OddLeaf): Promise<ReturnType<typeof readFulcioIdentity> | string> {
  const der = await certificate(leaf);
  try {
    return readFulcioIdentity(der);
  } catch (e) {
    return (e as Error).message;
  }
}

describe('readFulcioIdentity refuses certificates Fulcio would never issue', () => {
  // legacy (raw) .N and its current (UTF8String) successor .M
  for (const [legacy, current, value] of [
    [1, 8, 'https://issuer.example'],
    [2, 20, 'push'],
    [3, 13, 'a'.repeat(40)],
    [6, 14, 'refs/heads/main'],
  ] as const) {
    it(`.${legacy} and .${current}: agreeing is read, disagreeing is refused, either alone is read`, async () => {
      const both = await read({
        san: EMAIL,
        fulcio: [
          [legacy, value],
          [current, value],
        ],
      });
      expect(typeof both === 'object' && Object.values(both.extensions)).toEqual([value, value]);
      expect(
        await read({
          san: EMAIL,
          fulcio: [
            [legacy, value],
            [current, `${value}x`],
          ],
        }),
      ).toBe(
        `${ARC}${legacy} (${JSON.stringify(value)}) and ${ARC}${current} (${JSON.stringify(`${value}x`)}) disagree`,
      );
      for (const alone of [legacy, current]) {
        const one = await read({ san: EMAIL, fulcio: [[alone, value]] });
        expect(typeof one === 'object' && Object.values(one.extensions)).toEqual([value]);
      }
    });
  }

  it('.5 (owner/repo) must be the path of .12 (an https URL) on whatever server .12 names', async () => {
    const ok = await read({
      san: EMAIL,
      fulcio: [
        [5, 'octo/model'],
        [12, 'https://github.example.com/octo/model'],
      ],
    });
    expect(typeof ok === 'object' && ok.extensions).toEqual({
      githubWorkflowRepository: 'octo/model',
      sourceRepositoryURI: 'https://github.example.com/octo/model',
    });
    for (const uri of [
      'https://github.com/octo/evil',
      'http://github.com/octo/model',
      'https://github.com/octo/model/sub',
      'octo/model',
    ]) {
      expect(
        await read({
          san: EMAIL,
          fulcio: [
            [5, 'octo/model'],
            [12, uri],
          ],
        }),
      ).toBe(`${ARC}5 ("octo/model") and ${ARC}12 (${JSON.stringify(uri)}) disagree`);
    }
    for (const alone of [
      [5, 'octo/model'],
      [12, 'https://gitlab.com/x/y'],
    ] as [number, string][]) {
      const one = await read({ san: EMAIL, fulcio: [alone] });
      expect(typeof one === 'object' && Object.values(one.extensions)).toEqual([alone[1]]);
    }
  });

  it('a duplicated extension is refused, whichever it is', async () => {
    for (const suffix of [1, 8, 12]) {
      expect(
        await read({
          san: EMAIL,
          fulcio: [
            [suffix, 'https://a.example'],
            [suffix, 'https://a.example'],
          ],
        }),
      ).toBe(`extension ${ARC}${suffix} appears more than once`);
    }
  });

  it('more than one SAN entry is refused; exactly one is the identity', async () => {
    expect(
      await read({
        san: [
          { type: 'url', value: 'https://evil.example' },
          { type: 'email', value: 'victim@example.com' },
        ],
        fulcio: [[8, 'https://issuer.example']],
      }),
    ).toBe('the certificate names 2 identities in its SAN; Fulcio issues exactly one');
    expect(
      await read({
        san: [...EMAIL, ...EMAIL, ...EMAIL],
        fulcio: [],
      }),
    ).toBe('the certificate names 3 identities in its SAN; Fulcio issues exactly one');
    expect(
      await read({
        san: [{ type: 'url', value: 'https://ci.example/job' }],
        fulcio: [[8, 'https://i.example']],
      }),
    ).toMatchObject({ identity: 'https://ci.example/job', issuer: 'https://i.example' });
  });

  it('the issuer is .8, else the legacy .1', async () => {
    expect(await read({ san: EMAIL, fulcio: [[1, 'https://legacy.example']] })).toMatchObject({
      identity: 'dev@example.com',
      issuer: 'https://legacy.example',
    });
    expect(await read({ san: EMAIL, fulcio: [[8, 'https://current.example']] })).toMatchObject({
      issuer: 'https://current.example',
    });
    expect(await read({ san: EMAIL, fulcio: [] })).toMatchObject({ issuer: undefined });
  });
});
