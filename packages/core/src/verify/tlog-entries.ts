// Checks the transparency-log entries of a key- or certificate-signed bundle (`--tlog-upload`, or a
// cosign bundle signed with a key): every entry must be signed by a Rekor log of the trusted root
// (inclusion promise / SET, or inclusion proof + checkpoint) and must log this very signature and
// payload. sigstore-js's Verifier does the checks, on a view of the bundle that names the already
// verified signing key (its publicKey finder returns that key whatever the hint). Entries are
// optional (model_signing writes none); an entry that is present but does not verify fails closed.
import type { KeyObject } from 'node:crypto';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { ModelsealError } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import { loadTrustedRoot, type TrustedRootSource } from './trust-root.js';

const sigstoreBundle = lazyModule<typeof import('@sigstore/bundle')>('@sigstore/bundle');
const sigstoreVerify = lazyModule<typeof import('@sigstore/verify')>('@sigstore/verify');

/** Which Rekor logs to trust for entries of key/certificate bundles: a root, a source or a file path. */
export type TlogTrustedRoot = TrustedRoot | TrustedRootSource | string;

/** A checker of a bundle's tlogEntries (see tlogEntriesChecker). */
export type TlogEntriesCheck = (bundle: ParsedBundle, signingKey: KeyObject) => Promise<number>;

function isTrustedRoot(v: TlogTrustedRoot): v is TrustedRoot {
  return typeof v === 'object' && 'certificateAuthorities' in v;
}

/**
 * A checker for bundles whose signature `signingKey` already verified: resolves with the number of
 * entries checked (0 when the bundle has none), or rejects with TLOG_INVALID when an entry is not
 * signed by a log of `trustedRoot` (default: the public-good root shipped with @sigstore/tuf; loaded
 * once, on the first bundle with entries) or logs another signature or payload; TRUST_ROOT when the
 * root does not load.
 */
export function tlogEntriesChecker(trustedRoot?: TlogTrustedRoot): TlogEntriesCheck {
  let rootPromise: Promise<TrustedRoot> | undefined;
  const root = (): Promise<TrustedRoot> => {
    const src = trustedRoot ?? { kind: 'public-good' };
    rootPromise ??= isTrustedRoot(src)
      ? Promise.resolve(src)
      : loadTrustedRoot(typeof src === 'string' ? { kind: 'file', path: src } : src, 'tlogs');
    return rootPromise;
  };
  return async (bundle, signingKey) => {
    const vm = bundle.json.verificationMaterial as Record<string, unknown>;
    const entries = Array.isArray(vm.tlogEntries) ? vm.tlogEntries : [];
    if (entries.length === 0) return 0;
    const material = await root();
    const { Verifier, toSignedEntity, toTrustMaterial } = sigstoreVerify();
    try {
      const view = sigstoreBundle().bundleFromJSON({
        mediaType: bundle.json.mediaType,
        verificationMaterial: { publicKey: { hint: '' }, tlogEntries: entries },
        dsseEnvelope: bundle.json.dsseEnvelope,
      });
      const trust = toTrustMaterial(material, () => ({ publicKey: signingKey, validFor: () => true }));
      const verifier = new Verifier(trust, {
        tlogThreshold: entries.length,
        ctlogThreshold: 0,
        timestampThreshold: 0,
      });
      verifier.verify(toSignedEntity(view));
    } catch (e) {
      throw new ModelsealError(
        'TLOG_INVALID',
        `${bundle.source}: transparency log entry does not verify: ${(e as Error).message}`,
        { cause: e },
      );
    }
    return entries.length;
  };
}
