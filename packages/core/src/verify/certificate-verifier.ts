// BundleVerifier for bring-your-own PKI bundles (model_signing `verify certificate`): validates the
// path from the bundle's leaf (in `x509CertificateChain` with its intermediates, or alone in `certificate`
// as cosign's v0.3 referrers carry it) to one of the given trust anchors (RFC 5280,
// see certificate-path.ts; RSA- or EC-signed), at the leaf's notBefore like model_signing (or now,
// when asked), requires KeyUsage digitalSignature or EKU codeSigning, then checks the DSSE signature and
// any transparency-log entries (`--tlog-upload`) against the Rekor logs of a trusted root.
import type { X509Certificate } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { certificateName, hasSigningUsage, oneLineName, parseCertificateDer } from '../keys/certificates.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { LEGACY_PAE_WARNING, verifyDsseSignature } from './dsse-signature.js';
import { invalidNow, validatePath } from './certificate-path.js';
import type { BundleVerifier, VerifiedBundle } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import { tlogEntriesChecker, type TlogTrustedRoot } from './tlog-entries.js';

/**
 * Options of certificateVerifier(): the trust anchors, and when certificates must be valid (default
 * the leaf's notBefore, as model_signing does).
 */
export interface CertificateVerifierOptions {
  /** Trusted certificates (roots or intermediates); a chain must end at one of them. */
  trustAnchors: X509Certificate[];
  /**
   * When certificates must be valid: 'signing-time' = the leaf's notBefore (model_signing's rule;
   * there is no trusted timestamp in these bundles), or 'now'. Default 'signing-time'.
   */
  validityTime?: 'signing-time' | 'now';
  /**
   * Whose Rekor logs a bundle's tlogEntries must come from (a parsed root, a source or a
   * trusted_root.json path). Default: the public-good root shipped with @sigstore/tuf. Used only for
   * bundles that carry entries.
   */
  trustedRoot?: TlogTrustedRoot;
}

/**
 * A BundleVerifier for certificate-signed bundles: the embedded chain must lead to one of
 * `trustAnchors` and the leaf must allow code signing; verify() rejects with UNTRUSTED_CHAIN,
 * CERTIFICATE_EXPIRED, KEY_USAGE or BAD_SIGNATURE, and with TLOG_INVALID when the bundle carries a
 * transparency-log entry that does not verify (entries are optional).
 */
export function certificateVerifier(opts: CertificateVerifierOptions): BundleVerifier {
  if (opts.trustAnchors.length === 0)
    throw new ModelsealError('UNTRUSTED_CHAIN', 'no trust anchors given', {
      remedy: { option: 'trustAnchors', action: 'set' },
    });
  const checkTlog = tlogEntriesChecker(opts.trustedRoot);
  return {
    kind: 'certificate',
    async verify(bundle: ParsedBundle): Promise<VerifiedBundle> {
      const { source } = bundle;
      const vm = bundle.json.verificationMaterial as Record<string, unknown>;
      const chain = vm.x509CertificateChain as { certificates: { rawBytes: string }[] } | undefined;
      // A cosign-format (bundle v0.3) referrer carries the leaf alone; its intermediates must then be
      // among the trust anchors, as with `cosign verify --certificate-chain`.
      const single = vm.certificate as { rawBytes: string } | undefined;
      const raw = chain ? chain.certificates.map((c) => c.rawBytes) : single ? [single.rawBytes] : undefined;
      if (!raw) {
        throw new ModelsealError(
          'UNTRUSTED_CHAIN',
          `${source}: the bundle is signed with a bare key, not a certificate`,
          { remedy: { option: 'publicKey', action: 'set', to: 'verify it with the key' } },
        );
      }
      const certs = raw.map((b64, i) =>
        parseCertificateDer(Buffer.from(b64, 'base64'), `${source} certificate #${i}`),
      );
      const leaf = certs[0];
      const leafName = `certificate '${certificateName(leaf)}'`;
      const at = opts.validityTime === 'now' ? new Date() : new Date(leaf.validFrom);
      const path = validatePath(leaf, certs.slice(1), opts.trustAnchors, at, source);
      if (!hasSigningUsage(leaf)) {
        throw new ModelsealError(
          'KEY_USAGE',
          `${source}: ${leafName} has neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning`,
        );
      }
      signingAlgorithm(leaf.publicKey, leafName);
      const { payload, payloadType, signatures } = bundle.envelope;
      const how = verifyDsseSignature(leaf.publicKey, payloadType, payload, signatures[0].sig);
      if (!how)
        throw new ModelsealError(
          'BAD_SIGNATURE',
          `${source}: the signature does not verify with ${leafName}; the bundle was modified`,
        );
      await checkTlog(bundle, leaf.publicKey);
      const warnings: string[] = [];
      if (how === 'legacy') warnings.push(LEGACY_PAE_WARNING);
      if (opts.validityTime !== 'now') {
        for (const c of invalidNow(path, new Date())) {
          warnings.push(
            `certificate '${certificateName(c)}' is expired or not yet valid now (valid ${c.validFrom} to ${c.validTo}); accepted because validity is checked at the leaf's notBefore, like model_signing`,
          );
        }
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
