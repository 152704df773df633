// X.509 certificate loading and the usage rule OMS applies to signing certificates:
// KeyUsage digitalSignature or ExtendedKeyUsage codeSigning.
import { X509Certificate } from 'node:crypto';
import { lazyModule } from '../lazy-module.js';
import { ModelsealError } from '../errors.js';
import { readInputFile } from '../read-input-file.js';
import { pemBlocks } from './pem.js';

const sigstoreCore = lazyModule<typeof import('@sigstore/core')>('@sigstore/core');

export const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** Every certificate in PEM text (several per file allowed, preambles skipped). */
export function loadCertificates(pem: string | Buffer, source = 'certificate file'): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const certs = pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => parseCertificateDer(b.der, source));
  if (certs.length === 0)
    throw new ModelsealError('UNREADABLE', `${source}: no PEM certificate (BEGIN CERTIFICATE) found`);
  return certs;
}

/** Reads one or more PEM certificate files. */
export async function loadCertificateFiles(paths: string[]): Promise<X509Certificate[]> {
  const out: X509Certificate[] = [];
  for (const p of paths) out.push(...loadCertificates(await readInputFile(p), p));
  return out;
}

/** Parses DER bytes with a clear error. */
export function parseCertificateDer(der: Buffer, source: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (e) {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: not a valid X.509 certificate`, { cause: e });
  }
}

/** One X.509 extension as written: its OID, critical flag and extnValue contents (DER). */
export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

/**
 * Every extension of a DER certificate, in order, duplicates included (node:crypto shows neither
 * critical flags nor duplicates). Throws when the DER does not parse.
 */
export function rawExtensions(der: Buffer): RawExtension[] {
  const c = sigstoreCore().X509Certificate.parse(der as Buffer<ArrayBuffer>);
  return c.extensions.map((e) => ({
    oid: e.subs[0].toOID(),
    critical: e.subs.length === 3 ? e.subs[1].toBoolean() : false,
    value: Buffer.from(e.subs[e.subs.length - 1].value),
  }));
}

/** Extension facts node:crypto does not expose (decoded with @sigstore/core's DER parser). */
export interface CertificateExtensions {
  /** KeyUsage bits, or null when the extension is absent. */
  keyUsage: { digitalSignature: boolean; keyCertSign: boolean } | null;
  /** ExtendedKeyUsage OIDs (empty when absent). */
  extendedKeyUsage: string[];
  /** BasicConstraints pathLenConstraint, when present. */
  pathLength?: number;
}

export function certificateExtensions(cert: X509Certificate): CertificateExtensions {
  try {
    const c = sigstoreCore().X509Certificate.parse(cert.raw);
    const ku = c.extKeyUsage;
    const eku = c.extension('2.5.29.37');
    const pathLen = c.extBasicConstraints?.pathLenConstraint;
    return {
      keyUsage: ku ? { digitalSignature: ku.digitalSignature, keyCertSign: ku.keyCertSign } : null,
      extendedKeyUsage: eku ? (eku.valueObj.subs[0]?.subs ?? []).map((o) => o.toOID()) : [],
      ...(pathLen !== undefined ? { pathLength: Number(pathLen) } : {}),
    };
  } catch {
    // Unparseable extensions grant nothing.
    return { keyUsage: { digitalSignature: false, keyCertSign: false }, extendedKeyUsage: [] };
  }
}

/** True when the certificate may sign: KeyUsage digitalSignature, or EKU codeSigning. */
export function hasSigningUsage(cert: X509Certificate): boolean {
  const ext = certificateExtensions(cert);
  return ext.keyUsage?.digitalSignature === true || ext.extendedKeyUsage.includes(EKU_CODE_SIGNING);
}

/** A short name for messages: the subject's CN, or the whole subject, or (empty subject) the fingerprint. */
export function certificateName(cert: X509Certificate): string {
  const subject: string | undefined = cert.subject;
  if (!subject) return `(empty subject, SHA-256 ${cert.fingerprint256})`;
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(subject);
  return cn ? cn[1] : oneLineName(subject);
}

/** A distinguished name as node:crypto prints it (one RDN per line) on one line: `CN=a, O=b` ('' when empty). */
export function oneLineName(dn: string | undefined): string {
  return (dn ?? '').replace(/\n/g, ', ');
}
