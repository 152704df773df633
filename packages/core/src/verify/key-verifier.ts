// BundleVerifier for key-signed bundles (model_signing `verify key`, cosign v3 `--key` bundles). The
// `publicKey.hint` is advisory (Sigstore spec): the given key is always tried, whatever the hint
// says. A hint naming the given key (model_signing's hex SHA-256 of the SPKI PEM, or cosign v3 /
// sigstore-go's base64 SHA-256 of the SPKI DER) makes a failed signature BAD_SIGNATURE (modified);
// a hint naming another key makes it WRONG_KEY. The pre-1.1 `rawBytes` + `keyDetails` shape must
// embed the given key (else WRONG_KEY). A certificate bundle is WRONG_KEY; a bundle naming no key
// that fails is BAD_SIGNATURE (wrong key or modified). Transparency-log entries (`--tlog-upload`,
// cosign key bundles) are optional; present, they must verify against a trusted root's Rekor logs.
import type { KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { loadPublicKey, publicKeyHint, sigstoreKeyHint } from '../keys/load-public-key.js';
import { LEGACY_PAE_WARNING, verifyDsseSignature } from './dsse-signature.js';
import type { BundleVerifier, VerifiedBundle } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import { tlogEntriesChecker, type TlogTrustedRoot } from './tlog-entries.js';

/** Options of keyVerifier(): the public key, and whose Rekor logs to trust for log entries. */
export interface KeyVerifierOptions {
  publicKey: KeyObject;
  /**
   * Whose Rekor logs a bundle's tlogEntries must come from (a parsed root, a source or a
   * trusted_root.json path). Default: the public-good root shipped with @sigstore/tuf. Used only for
   * bundles that carry entries.
   */
  trustedRoot?: TlogTrustedRoot;
}

/**
 * A BundleVerifier for key-signed bundles: verify() checks the signature with `publicKey` whatever
 * `publicKey.hint` says, and rejects with WRONG_KEY when it fails and the bundle names another key
 * (hint or rawBytes), BAD_SIGNATURE when it fails otherwise, TLOG_INVALID when the bundle carries a
 * transparency-log entry that does not verify (entries are optional).
 */
export function keyVerifier(opts: KeyVerifierOptions): BundleVerifier {
  const key = opts.publicKey;
  const hint = publicKeyHint(key);
  const sigstoreHint = sigstoreKeyHint(key);
  const spki = key.export({ type: 'spki', format: 'der' });
  const checkTlog = tlogEntriesChecker(opts.trustedRoot);
  return {
    kind: 'key',
    async verify(bundle: ParsedBundle): Promise<VerifiedBundle> {
      const { source } = bundle;
      const vm = bundle.json.verificationMaterial as Record<string, unknown>;
      const pk = vm.publicKey as { hint?: unknown; rawBytes?: unknown } | undefined;
      const warnings: string[] = [];
      if (!pk) {
        // A Fulcio certificate comes with a transparency log entry; a certificate of one's own PKI does not.
        const keyless = Array.isArray(vm.tlogEntries) && vm.tlogEntries.length > 0;
        throw new ModelsealError(
          'WRONG_KEY',
          `${source}: the bundle is signed with a certificate, not a bare key`,
          {
            remedy: keyless
              ? { option: 'identity', action: 'set', to: 'verify it as a keyless signature' }
              : { option: 'trustAnchors', action: 'set', to: 'verify it against its CA' },
          },
        );
      }
      let named = false;
      let otherHint: string | undefined;
      if (typeof pk.hint === 'string' && pk.hint !== '') {
        if (pk.hint.toLowerCase() === hint || pk.hint === sigstoreHint) named = true;
        else otherHint = pk.hint;
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
      if (!how && otherHint !== undefined) {
        throw new ModelsealError(
          'WRONG_KEY',
          `${source}: signed by a different key (bundle key hint ${otherHint}, given key ${hint})`,
        );
      }
      if (!how) {
        throw new ModelsealError(
          'BAD_SIGNATURE',
          named
            ? `${source}: the signature does not verify with the signing key; the bundle was modified`
            : `${source}: the signature does not verify with the given key (wrong key or modified bundle)`,
        );
      }
      await checkTlog(bundle, key);
      if (otherHint !== undefined)
        warnings.push(
          `publicKey.hint ${otherHint} does not name the given key (${hint}, or ${sigstoreHint} in Sigstore's form); the signature verifies with the given key, and the hint is advisory`,
        );
      if (how === 'legacy') warnings.push(LEGACY_PAE_WARNING);
      return { payload, payloadType, signer: { kind: 'key', keyHint: hint }, warnings };
    },
  };
}
