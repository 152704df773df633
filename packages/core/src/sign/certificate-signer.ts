// BundleSigner for bring-your-own PKI: signs with the leaf's private key and embeds
// `x509CertificateChain` (leaf first, then the given intermediates) like model_signing `sign certificate`;
// with `tlog`, the signature is also logged in Rekor with the leaf as verifier (cosign `--tlog-upload`).
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import { ModelsealError } from '../errors.js';
import { certificateName, hasSigningUsage } from '../keys/certificates.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { dsseBundle } from './dsse-bundle.js';
import { signDsse } from '../oms/dsse.js';
import type { BundleSigner } from './signer.js';
import { logBundle, type TlogUploadOptions } from './tlog-upload.js';

/**
 * Options of certificateSigner(): the private key, its signing certificate and the intermediates to
 * embed.
 */
export interface CertificateSignerOptions {
  privateKey: KeyObject;
  /** The signing (leaf) certificate. */
  certificate: X509Certificate;
  /** Intermediates to embed after the leaf (the root is normally not embedded). */
  chain?: X509Certificate[];
  /** Time the leaf must be valid at (default: now). */
  now?: Date;
  /** Log each signature in this Rekor with the leaf as verifier (default: none). */
  tlog?: TlogUploadOptions;
}

/**
 * Checks the key matches the leaf, the leaf is currently valid and may sign; then signs (and logs in
 * `tlog` when given: SIGSTORE_SERVICE when Rekor cannot log it).
 */
export function certificateSigner(opts: CertificateSignerOptions): BundleSigner {
  const leaf = opts.certificate;
  const name = `certificate '${certificateName(leaf)}'`;
  signingAlgorithm(opts.privateKey, 'signing key');
  if (!leaf.checkPrivateKey(opts.privateKey)) {
    throw new ModelsealError('WRONG_KEY', `the private key does not match the public key of ${name}`);
  }
  const now = opts.now ?? new Date();
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) {
    throw new ModelsealError(
      'CERTIFICATE_EXPIRED',
      `${name} is not valid now (valid ${leaf.validFrom} to ${leaf.validTo})`,
    );
  }
  if (!hasSigningUsage(leaf)) {
    throw new ModelsealError(
      'KEY_USAGE',
      `${name} has neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning`,
    );
  }
  const material = {
    kind: 'certificateChain' as const,
    certificatesDer: [leaf, ...(opts.chain ?? [])].map((c) => c.raw),
  };
  return {
    kind: 'certificate',
    async signStatement(statement: Buffer, payloadType: string): Promise<SerializedBundle> {
      const bundle = dsseBundle(
        material,
        payloadType,
        statement,
        signDsse(opts.privateKey, payloadType, statement),
      );
      return opts.tlog ? logBundle(bundle, leaf.toString(), opts.tlog) : bundle;
    },
  };
}
