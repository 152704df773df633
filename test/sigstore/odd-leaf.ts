// Builds Fulcio-style leaf certificates Fulcio would never issue (several SANs, duplicated or
// disagreeing extensions), signed by the local stack's CA with @peculiar/x509 (the library
// @sigstore/mock issues its own certificates with). Plug into `stack.issueLeaf`.
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { LeafRequest } from './stack.js';

const coreRequire = createRequire(
  fileURLToPath(new URL('../../packages/core/package.json', import.meta.url)),
);
const mockRequire = createRequire(coreRequire.resolve('@sigstore/mock'));
mockRequire('reflect-metadata');
/** The few @peculiar/x509 2.x members used here (it is not a direct dependency, so no types). */
interface PeculiarX509 {
  cryptoProvider: { set(c: typeof webcrypto): void };
  X509CertificateGenerator: { create(params: Record<string, unknown>): Promise<{ rawData: ArrayBuffer }> };
  Extension: new (oid: string, critical: boolean, value: Buffer) => object;
  KeyUsagesExtension: new (usages: number, critical: boolean) => object;
  KeyUsageFlags: { digitalSignature: number };
  ExtendedKeyUsageExtension: new (usages: string[]) => object;
  ExtendedKeyUsage: { codeSigning: string };
  SubjectAlternativeNameExtension: new (
    names: { type: string; value: string }[],
    critical: boolean,
  ) => object;
}
const x509 = mockRequire('@peculiar/x509') as PeculiarX509;
x509.cryptoProvider.set(webcrypto);

const ARC = '1.3.6.1.4.1.57264.1.';

/** A DER UTF8String (how Fulcio writes .8 and later). */
function utf8String(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  if (body.length >= 128) throw new Error('test values are short');
  return Buffer.concat([Buffer.from([0x0c, body.length]), body]);
}

export interface OddLeaf {
  /** SAN entries, in order (Fulcio writes exactly one) */
  san: { type: 'url' | 'email'; value: string }[];
  /** extensions by OID suffix under 1.3.6.1.4.1.57264.1., in order; raw ones (.1-.6) as given, others as UTF8String */
  fulcio: [suffix: number, value: string][];
}

/** An issueLeaf for the stack: the signer's key, signed by the stack's CA, with `leaf`'s names. */
export function oddLeafIssuer(leaf: OddLeaf): (req: LeafRequest) => Promise<Buffer> {
  return async (req) => {
    const subtle = webcrypto.subtle;
    const alg = { name: 'ECDSA', namedCurve: 'P-256' };
    const publicKey = await subtle.importKey('spki', req.publicKey, alg, true, ['verify']);
    const signingKey = await subtle.importKey(
      'pkcs8',
      req.caPrivateKey.export({ type: 'pkcs8', format: 'der' }),
      alg,
      false,
      ['sign'],
    );
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: '0badc0de',
      notBefore: req.now,
      notAfter: new Date(req.now.getTime() + 10 * 60_000),
      issuer: req.issuerName,
      publicKey,
      signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        new x509.SubjectAlternativeNameExtension(leaf.san, true),
        ...leaf.fulcio.map(
          ([suffix, value]) =>
            new x509.Extension(
              `${ARC}${suffix}`,
              false,
              suffix <= 6 ? Buffer.from(value) : utf8String(value),
            ),
        ),
      ],
    });
    return Buffer.from(cert.rawData);
  };
}
