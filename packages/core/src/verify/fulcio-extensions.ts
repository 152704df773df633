// Reads the signer identity out of a Fulcio certificate: the SAN and the 1.3.6.1.4.1.57264.1.* extensions,
// decoded from DER (.8 and later are UTF8String; the deprecated .1-.6 hold raw bytes).
import { lazyModule } from '../lazy-module.js';

const sigstoreCore = lazyModule<typeof import('@sigstore/core')>('@sigstore/core');

const ARC = '1.3.6.1.4.1.57264.1.';

/** Fulcio extensions by name: the OID suffix, and whether the value is a raw (legacy) string. */
export const FulcioExtensionOids = {
  issuerV1: { oid: `${ARC}1`, legacy: true },
  githubWorkflowTrigger: { oid: `${ARC}2`, legacy: true },
  githubWorkflowSha: { oid: `${ARC}3`, legacy: true },
  githubWorkflowName: { oid: `${ARC}4`, legacy: true },
  githubWorkflowRepository: { oid: `${ARC}5`, legacy: true },
  githubWorkflowRef: { oid: `${ARC}6`, legacy: true },
  issuer: { oid: `${ARC}8`, legacy: false },
  buildSignerURI: { oid: `${ARC}9`, legacy: false },
  buildSignerDigest: { oid: `${ARC}10`, legacy: false },
  runnerEnvironment: { oid: `${ARC}11`, legacy: false },
  sourceRepositoryURI: { oid: `${ARC}12`, legacy: false },
  sourceRepositoryDigest: { oid: `${ARC}13`, legacy: false },
  sourceRepositoryRef: { oid: `${ARC}14`, legacy: false },
  sourceRepositoryIdentifier: { oid: `${ARC}15`, legacy: false },
  sourceRepositoryOwnerURI: { oid: `${ARC}16`, legacy: false },
  sourceRepositoryOwnerIdentifier: { oid: `${ARC}17`, legacy: false },
  buildConfigURI: { oid: `${ARC}18`, legacy: false },
  buildConfigDigest: { oid: `${ARC}19`, legacy: false },
  buildTrigger: { oid: `${ARC}20`, legacy: false },
  runInvocationURI: { oid: `${ARC}21`, legacy: false },
  sourceRepositoryVisibilityAtSigning: { oid: `${ARC}22`, legacy: false },
  deploymentEnvironment: { oid: `${ARC}23`, legacy: false },
  tokenSubject: { oid: `${ARC}24`, legacy: false },
} as const;

export type FulcioExtensionName = keyof typeof FulcioExtensionOids;

const OID_OTHERNAME_USERNAME = `${ARC}7`;
const TAG_UTF8STRING = 0x0c;

/** What a Fulcio leaf certificate says about its signer. */
export interface FulcioIdentity {
  /** The SAN: email, URI or Fulcio username (otherName), in that order of preference. */
  identity?: string;
  /** Issuer from .8 (DER UTF8String), falling back to the legacy .1 raw string. */
  issuer?: string;
  /** Every Fulcio extension present, decoded to text, by name. */
  extensions: Partial<Record<FulcioExtensionName, string>>;
}

/** Decode one extension value. Throws if a .8+ value is not a DER UTF8String. */
export function decodeFulcioExtension(value: Buffer, legacy: boolean): string {
  if (legacy) return value.toString('utf8');
  const obj = sigstoreCore().ASN1Obj.parseBuffer(value as Buffer<ArrayBuffer>);
  if (!obj.tag.isUniversal() || obj.tag.number !== TAG_UTF8STRING || obj.tag.constructed) {
    throw new Error(`Fulcio extension is not a DER UTF8String (tag 0x${obj.tag.number.toString(16)})`);
  }
  return obj.value.toString('utf8');
}

/** Read the SAN and all Fulcio extensions from a DER certificate. */
export function readFulcioIdentity(certDer: Buffer): FulcioIdentity {
  const x509 = sigstoreCore().X509Certificate.parse(certDer as Buffer<ArrayBuffer>);
  const extensions: Partial<Record<FulcioExtensionName, string>> = {};
  for (const [name, spec] of Object.entries(FulcioExtensionOids) as [
    FulcioExtensionName,
    { oid: string; legacy: boolean },
  ][]) {
    const ext = x509.extension(spec.oid);
    if (ext) extensions[name] = decodeFulcioExtension(ext.value, spec.legacy);
  }
  const san = x509.extSubjectAltName;
  const identity = san ? (san.rfc822Name ?? san.uri ?? san.otherName(OID_OTHERNAME_USERNAME)) : undefined;
  return { identity, issuer: extensions.issuer ?? extensions.issuerV1, extensions };
}
