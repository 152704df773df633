// BundleVerifier for key-signed bundles (model_signing `verify key`). Accepts `publicKey.hint`
// (hex SHA-256 of the SPKI PEM text) and the pre-1.1 `rawBytes` + `keyDetails` shape.
// Error policy: WRONG_KEY when the bundle names a different key than the one given (hint or
// rawBytes mismatch, or the bundle carries a certificate); BAD_SIGNATURE when the signature fails
// with the key the bundle names, or when the bundle names no key at all.
import type { KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { loadPublicKey, publicKeyHint } from '../keys/load-public-key.js';
import { LEGACY_PAE_WARNING, verifyDsseSignature } from './dsse-signature.js';
import type { BundleVerifier, ParsedBundle, VerifiedBundle } from './verifier.js';

/** Options of keyVerifier(): the public key. */
export interface KeyVerifierOptions {
  publicKey: KeyObject;
}

/**
 * A BundleVerifier for key-signed bundles: verify() rejects with WRONG_KEY when the bundle names
 * another key, BAD_SIGNATURE when the signature does not verify.
 */
export function keyVerifier(opts: KeyVerifierOptions): BundleVerifier {
  const key = opts.publicKey;
  const hint = publicKeyHint(key);
  const spki = key.export({ type: 'spki', format: 'der' });
  return {
    kind: 'key',
    async verify(bundle: ParsedBundle): Promise<VerifiedBundle> {
      const { source } = bundle;
      const vm = bundle.json.verificationMaterial as Record<string, unknown>;
      const pk = vm.publicKey as { hint?: unknown; rawBytes?: unknown } | undefined;
      const warnings: string[] = [];
      if (!pk) {
        throw new ModelsealError(
          'WRONG_KEY',
          `${source}: the bundle is signed with a certificate, not a bare key; verify with --certificate-chain or keyless options`,
        );
      }
      let named = false;
      if (typeof pk.hint === 'string' && pk.hint !== '') {
        if (pk.hint.toLowerCase() !== hint) {
          throw new ModelsealError(
            'WRONG_KEY',
            `${source}: signed by a different key (bundle key hint ${pk.hint}, given key ${hint})`,
          );
        }
        named = true;
      } else if (typeof pk.rawBytes === 'string') {
        let embedded: Buffer;
        try {
          embedded = loadPublicKey(Buffer.from(pk.rawBytes, 'base64'), `${source} publicKey.rawBytes`).export(
            { type: 'spki', format: 'der' },
          );
        } catch {
          embedded = Buffer.alloc(0);
        }
        if (!embedded.equals(spki)) {
          throw new ModelsealError(
            'WRONG_KEY',
            `${source}: signed by a different key than the one given (publicKey.rawBytes differs)`,
          );
        }
        named = true;
        warnings.push(
          'bundle uses the older verification material format (publicKey.rawBytes); re-sign to get publicKey.hint',
        );
      }
      const { payload, payloadType, signatures } = bundle.envelope;
      const how = verifyDsseSignature(key, payloadType, payload, signatures[0].sig);
      if (!how) {
        throw new ModelsealError(
          'BAD_SIGNATURE',
          named
            ? `${source}: the signature does not verify with the signing key; the bundle was modified`
            : `${source}: the signature does not verify with the given key (wrong key or modified bundle)`,
        );
      }
      if (how === 'legacy') warnings.push(LEGACY_PAE_WARNING);
      return { payload, payloadType, signer: { kind: 'key', keyHint: hint }, warnings };
    },
  };
}
