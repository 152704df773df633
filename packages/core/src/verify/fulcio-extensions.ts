// Reads the signer identity out of a Fulcio certificate: the SAN and the 1.3.6.1.4.1.57264.1.* extensions,
// decoded from DER (.8 and later are UTF8String; the deprecated .1-.6 hold raw bytes). Refuses what
// Fulcio never issues: more than one SAN entry, a duplicated extension, or a legacy extension that
// disagrees with its current successor (.1/.8, .2/.20, .3/.13, .5/.12, .6/.14).
import { lazyModule } from '../lazy-module.js';
import { rawExtensions, type RawExtension } from '../keys/certificates.js';

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

/** The name of a Fulcio certificate extension (see FulcioExtensionOids). */
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

const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** Legacy extension -> its current successor, as Fulcio writes both (the .5/.12 pair is compared as a URL). */
const SUCCESSORS: [FulcioExtensionName, FulcioExtensionName][] = [
  ['issuerV1', 'issuer'],
  ['githubWorkflowTrigger', 'buildTrigger'],
  ['githubWorkflowSha', 'sourceRepositoryDigest'],
  ['githubWorkflowRef', 'sourceRepositoryRef'],
];

/** Does the .12 source repository URI name the .5 `owner/repo` (on whatever server it names)? */
function sameRepository(uri: string, repository: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'https:' && u.href === `${u.origin}/${repository}`;
  } catch {
    return false;
  }
}

/** Throws when the certificate carries a duplicated extension or disagreeing legacy/current pairs. */
function checkConsistency(
  raw: RawExtension[],
  extensions: Partial<Record<FulcioExtensionName, string>>,
): void {
  const seen = new Set<string>();
  for (const e of raw) {
    if (seen.has(e.oid)) throw new Error(`extension ${e.oid} appears more than once`);
    seen.add(e.oid);
  }
  for (const [legacy, current] of SUCCESSORS) {
    const a = extensions[legacy];
    const b = extensions[current];
    if (a !== undefined && b !== undefined && a !== b) {
      throw new Error(
        `${FulcioExtensionOids[legacy].oid} (${JSON.stringify(a)}) and ${FulcioExtensionOids[current].oid} (${JSON.stringify(b)}) disagree`,
      );
    }
  }
  const repo = extensions.githubWorkflowRepository;
  const uri = extensions.sourceRepositoryURI;
  if (repo !== undefined && uri !== undefined && !sameRepository(uri, repo)) {
    throw new Error(
      `${FulcioExtensionOids.githubWorkflowRepository.oid} (${JSON.stringify(repo)}) and ${FulcioExtensionOids.sourceRepositoryURI.oid} (${JSON.stringify(uri)}) disagree`,
    );
  }
}

/**
 * Read the SAN and all Fulcio extensions from a DER certificate. Throws (an Error whose message
 * says why) when an extension does not decode or the certificate is not one Fulcio would issue.
 */
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
  const raw = rawExtensions(certDer);
  checkConsistency(raw, extensions);
  const san = x509.extSubjectAltName;
  const sanValue = raw.find((e) => e.oid === OID_SUBJECT_ALT_NAME)?.value;
  const names = sanValue
    ? sigstoreCore().ASN1Obj.parseBuffer(sanValue as Buffer<ArrayBuffer>).subs.length
    : 0;
  if (names > 1)
    throw new Error(`the certificate names ${names} identities in its SAN; Fulcio issues exactly one`);
  const identity = san ? (san.rfc822Name ?? san.uri ?? san.otherName(OID_OTHERNAME_USERNAME)) : undefined;
  return { identity, issuer: extensions.issuer ?? extensions.issuerV1, extensions };
}
