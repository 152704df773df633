// BundleSigner for a bare key: DSSE over the statement, `verificationMaterial.publicKey.hint` =
// hex SHA-256 of the SPKI PEM text, empty tlogEntries (model_signing `sign key` compatible), or, with
// `tlog`, the Rekor entry that logs the signature with the public key (cosign `--tlog-upload`).
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import { publicKeyHint } from '../keys/load-public-key.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { dsseBundle } from './dsse-bundle.js';
import { signDsse } from '../oms/dsse.js';
import type { BundleSigner } from './signer.js';
import { logBundle, type TlogUploadOptions } from './tlog-upload.js';

/** Options of keySigner(): the private key, and a Rekor log to upload to. */
export interface KeySignerOptions {
  /** EC P-256/384/521 or Ed25519 private key (see loadPrivateKey). */
  privateKey: KeyObject;
  /** Log each signature in this Rekor (default: none; a private key publishes nothing unless asked). */
  tlog?: TlogUploadOptions;
}

/**
 * A BundleSigner for a private key (ECDSA P-256/P-384/P-521, Ed25519 or RSA): the bundle carries a
 * publicKey hint, no certificate, and no log entry unless `tlog` is given (then signStatement logs
 * the signature in that Rekor and rejects with SIGSTORE_SERVICE when it cannot). Without `tlog` it
 * never fetches anything.
 */
export function keySigner(opts: KeySignerOptions): BundleSigner {
  signingAlgorithm(opts.privateKey, 'signing key');
  const material = { kind: 'publicKey' as const, hint: publicKeyHint(opts.privateKey) };
  return {
    kind: 'key',
    async signStatement(statement: Buffer, payloadType: string): Promise<SerializedBundle> {
      const bundle = dsseBundle(
        material,
        payloadType,
        statement,
        signDsse(opts.privateKey, payloadType, statement),
      );
      if (!opts.tlog) return bundle;
      const pem = createPublicKey(opts.privateKey).export({ type: 'spki', format: 'pem' }).toString();
      return logBundle(bundle, pem, opts.tlog);
    },
  };
}
