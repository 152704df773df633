// BundleVerifier for bring-your-own PKI bundles (model_signing `verify certificate`): builds a chain
// from the bundle's leaf through its intermediates to one of the given trust anchors (RSA- or
// EC-signed), checks validity at the leaf's notBefore like model_signing (or now, when asked),
// requires KeyUsage digitalSignature or EKU codeSigning, then checks the DSSE signature.
import type { X509Certificate } from 'node:crypto';
import { SignatureError } from '../errors.js';
import {
  certificateExtensions,
  certificateName,
  hasSigningUsage,
  oneLineName,
  parseCertificateDer,
} from '../keys/certificates.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { LEGACY_PAE_WARNING, verifyDsseSignature } from './dsse-signature.js';
import type { BundleVerifier, ParsedBundle, VerifiedBundle } from './verifier.js';

export interface CertificateVerifierOptions {
  /** Trusted certificates (roots or intermediates); a chain must end at one of them. */
  trustAnchors: X509Certificate[];
  /**
   * When certificates must be valid: 'signing-time' = the leaf's notBefore (model_signing's rule;
   * there is no trusted timestamp in these bundles), or 'now'. Default 'signing-time'.
   */
  validityTime?: 'signing-time' | 'now';
}

const MAX_DEPTH = 8;

function validAt(cert: X509Certificate, t: Date): boolean {
  return t >= new Date(cert.validFrom) && t <= new Date(cert.validTo);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** May `ca` issue certificates with `below` CA certificates under it (BasicConstraints CA, keyCertSign, pathLen)? */
function canIssue(ca: X509Certificate, below: number): boolean {
  if (!ca.ca) return false;
  const ext = certificateExtensions(ca);
  if (ext.keyUsage && !ext.keyUsage.keyCertSign) return false;
  return ext.pathLength === undefined || below <= ext.pathLength;
}

/** Leaf-first path ending at a trust anchor, or null. Depth-first over candidate issuers. */
function buildChain(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
): X509Certificate[] | null {
  const isAnchor = (c: X509Certificate) => anchors.some((a) => a.fingerprint256 === c.fingerprint256);
  const walk = (path: X509Certificate[]): X509Certificate[] | null => {
    const current = path[path.length - 1];
    if (isAnchor(current)) return path;
    if (path.length > MAX_DEPTH) return null;
    const below = path.length - 1; // CA certificates between the leaf and the next issuer
    for (const anchor of anchors)
      if (canIssue(anchor, below) && issuedBy(current, anchor)) return [...path, anchor];
    for (const next of intermediates) {
      if (
        !canIssue(next, below) ||
        path.some((p) => p.fingerprint256 === next.fingerprint256) ||
        !issuedBy(current, next)
      )
        continue;
      const found = walk([...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk([leaf]);
}

export function certificateVerifier(opts: CertificateVerifierOptions): BundleVerifier {
  if (opts.trustAnchors.length === 0)
    throw new SignatureError('UNTRUSTED_CHAIN', 'no trust anchors given (--certificate-chain)');
  return {
    kind: 'certificate',
    async verify(bundle: ParsedBundle): Promise<VerifiedBundle> {
      const { source } = bundle;
      const vm = bundle.json.verificationMaterial as Record<string, unknown>;
      const chain = vm.x509CertificateChain as { certificates: { rawBytes: string }[] } | undefined;
      if (!chain) {
        const what = vm.publicKey
          ? 'a bare key (verify with --key)'
          : 'a Sigstore keyless certificate (verify with the keyless options)';
        throw new SignatureError(
          'UNTRUSTED_CHAIN',
          `${source}: the bundle is signed with ${what}, not a certificate chain`,
        );
      }
      const certs = chain.certificates.map((c, i) =>
        parseCertificateDer(Buffer.from(c.rawBytes, 'base64'), `${source} certificate #${i}`),
      );
      const leaf = certs[0];
      const leafName = `certificate '${certificateName(leaf)}'`;
      const path = buildChain(leaf, certs.slice(1), opts.trustAnchors);
      if (!path) {
        throw new SignatureError(
          'UNTRUSTED_CHAIN',
          `${source}: ${leafName} (issuer '${oneLineName(leaf.issuer)}') does not chain to any trust anchor`,
        );
      }
      const at = opts.validityTime === 'now' ? new Date() : new Date(leaf.validFrom);
      for (const c of path) {
        if (!validAt(c, at)) {
          throw new SignatureError(
            'CERTIFICATE_EXPIRED',
            `${source}: certificate '${certificateName(c)}' is not valid at ${at.toISOString()} (valid ${c.validFrom} to ${c.validTo})`,
          );
        }
      }
      if (!hasSigningUsage(leaf)) {
        throw new SignatureError(
          'KEY_USAGE',
          `${source}: ${leafName} has neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning`,
        );
      }
      signingAlgorithm(leaf.publicKey, leafName);
      const { payload, payloadType, signatures } = bundle.envelope;
      const how = verifyDsseSignature(leaf.publicKey, payloadType, payload, signatures[0].sig);
      if (!how)
        throw new SignatureError(
          'BAD_SIGNATURE',
          `${source}: the signature does not verify with ${leafName}; the bundle was modified`,
        );
      const warnings: string[] = [];
      if (how === 'legacy') warnings.push(LEGACY_PAE_WARNING);
      if (opts.validityTime !== 'now' && !validAt(leaf, new Date())) {
        warnings.push(
          `${leafName} is expired or not yet valid now (valid ${leaf.validFrom} to ${leaf.validTo}); accepted because validity is checked at its notBefore, like model_signing`,
        );
      }
      return {
        payload,
        payloadType,
        signer: {
          kind: 'certificate',
          subject: oneLineName(leaf.subject),
          issuer: oneLineName(leaf.issuer),
          fingerprint: leaf.fingerprint256,
          anchor: path[path.length - 1].fingerprint256,
        },
        warnings,
      };
    },
  };
}
