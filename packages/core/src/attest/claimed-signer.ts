// Who a bundle says signed it, read from its verification material without checking anything: the
// key hint, the leaf of a certificate chain or a lone non-Fulcio leaf (subject, issuer, fingerprint),
// or a Fulcio certificate (SAN identity, OIDC issuer, extensions). For display (`inspect`) only; trust comes from a verifier.
import { X509Certificate } from 'node:crypto';
import { isJsonObject } from '../json-object.js';
import { oneLineName } from '../keys/certificates.js';
import { readFulcioIdentity } from '../verify/fulcio-extensions.js';
import type { SignerIdentity } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';

function der(v: unknown): Buffer | undefined {
  return isJsonObject(v) && typeof v.rawBytes === 'string' ? Buffer.from(v.rawBytes, 'base64') : undefined;
}

function certificateSigner(leaf: Buffer): SignerIdentity | undefined {
  try {
    const cert = new X509Certificate(leaf);
    return {
      kind: 'certificate',
      subject: oneLineName(cert.subject),
      issuer: oneLineName(cert.issuer),
      fingerprint: cert.fingerprint256,
    };
  } catch {
    return undefined;
  }
}

/**
 * The signer a parsed bundle claims (unverified): key hint, certificate-chain leaf, or Fulcio
 * identity; undefined when the material says nothing readable. Never throws.
 */
export function claimedSigner(bundle: ParsedBundle): SignerIdentity | undefined {
  const vm = bundle.json.verificationMaterial;
  if (!isJsonObject(vm)) return undefined;
  if (isJsonObject(vm.publicKey))
    return typeof vm.publicKey.hint === 'string'
      ? { kind: 'key', keyHint: vm.publicKey.hint }
      : { kind: 'key' };
  if (isJsonObject(vm.x509CertificateChain) && Array.isArray(vm.x509CertificateChain.certificates)) {
    const leaf = der(vm.x509CertificateChain.certificates[0]);
    return leaf ? certificateSigner(leaf) : undefined;
  }
  const fulcio = der(vm.certificate);
  if (!fulcio) return undefined;
  try {
    const id = readFulcioIdentity(fulcio);
    // A leaf without Fulcio's issuer extension is one's own PKI (a cosign-format certificate referrer).
    if (id.issuer === undefined) return certificateSigner(fulcio);
    return {
      kind: 'keyless',
      identity: id.identity ?? '',
      issuer: id.issuer ?? '',
      extensions: Object.fromEntries(
        Object.entries(id.extensions).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      timestamps: [],
    };
  } catch {
    return certificateSigner(fulcio);
  }
}
