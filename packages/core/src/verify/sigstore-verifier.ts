// Keyless (Sigstore) bundle verification: @sigstore/verify checks chain, SCT, tlog, timestamps and
// signature against an explicit trusted root; our identity policy (anchored, DER-decoded) decides who is accepted.
import { createPublicKey } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import type { X509Certificate } from '@sigstore/core';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { toSignedEntity } from '@sigstore/verify';
import { lazyModule } from '../lazy-module.js';
import { ModelsealError } from '../errors.js';
import type { BundleVerifier, VerifiedBundle } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import { identityPolicy, type IdentityPolicyOptions } from './identity-policy.js';
import { readFulcioIdentity, type FulcioIdentity } from './fulcio-extensions.js';
import { fromSigstoreError } from './sigstore-errors.js';
import { loadTrustedRoot, type TrustedRootSource } from './trust-root.js';

const sigstoreBundle = lazyModule<typeof import('@sigstore/bundle')>('@sigstore/bundle');
const sigstoreCore = lazyModule<typeof import('@sigstore/core')>('@sigstore/core');
const sigstoreVerify = lazyModule<typeof import('@sigstore/verify')>('@sigstore/verify');

/** Options of keylessVerifier(): whom to trust (identity policy) and which Sigstore instance. */
export interface KeylessVerifierOptions extends IdentityPolicyOptions {
  /**
   * A parsed TrustedRoot, a source to load it from, or a trusted_root.json path. Default: the
   * public-good root snapshot shipped with @sigstore/tuf (no network).
   */
  trustedRoot?: TrustedRoot | TrustedRootSource | string;
  /** cosign --insecure-ignore-tlog: do not require a transparency-log entry (adds a warning). */
  ignoreTlog?: boolean;
  /** cosign --insecure-ignore-sct: do not require an embedded SCT (adds a warning). */
  ignoreSct?: boolean;
}

function isTrustedRoot(v: KeylessVerifierOptions['trustedRoot']): v is TrustedRoot {
  return typeof v === 'object' && v !== null && 'certificateAuthorities' in v;
}

function leafCertificateDer(bundle: Bundle, source: string): Buffer {
  const content = bundle.verificationMaterial.content;
  switch (content.$case) {
    case 'certificate':
      return content.certificate.rawBytes;
    case 'x509CertificateChain': {
      const leaf = content.x509CertificateChain.certificates[0];
      if (!leaf) throw new ModelsealError('MALFORMED_BUNDLE', `${source}: empty certificate chain`);
      return leaf.rawBytes;
    }
    case 'publicKey':
      throw new ModelsealError(
        'USAGE',
        `${source}: the bundle is signed with a public key, not a Sigstore certificate`,
        { remedy: { option: 'publicKey', action: 'set', to: 'verify it with the key' } },
      );
  }
}

/** Does the leaf carry a signature from any certificate in the trusted root's CA chains? (time is checked later) */
function issuedByTrustedCA(leaf: X509Certificate, root: TrustedRoot): boolean {
  for (const ca of root.certificateAuthorities) {
    for (const c of ca.certChain?.certificates ?? []) {
      try {
        if (leaf.verify(sigstoreCore().X509Certificate.parse(c.rawBytes as Buffer<ArrayBuffer>))) return true;
      } catch {
        // not this issuer
      }
    }
  }
  return false;
}

/**
 * A BundleVerifier for Sigstore keyless bundles (Fulcio certificate + Rekor and/or TSA): checks the
 * chain to the trusted root, the SCT, the log entry or timestamp, the signature, then the identity
 * policy. Throws USAGE at once when identity or issuer is missing or a pattern is invalid; verify()
 * rejects with UNTRUSTED_CHAIN, SCT_INVALID, TLOG_MISSING, TLOG_INVALID, TIMESTAMP_INVALID,
 * BAD_SIGNATURE, IDENTITY_MISMATCH, ISSUER_MISMATCH, EXTENSION_MISMATCH, MALFORMED_BUNDLE or TRUST_ROOT.
 */
export function keylessVerifier(opts: KeylessVerifierOptions): BundleVerifier {
  const policy = identityPolicy(opts); // fails fast on a missing identity/issuer or a bad pattern
  const tlogThreshold = opts.ignoreTlog ? 0 : 1;
  const ctlogThreshold = opts.ignoreSct ? 0 : 1;
  let rootPromise: Promise<TrustedRoot> | undefined;
  const trustedRoot = (): Promise<TrustedRoot> => {
    const src = opts.trustedRoot ?? { kind: 'public-good' };
    rootPromise ??= isTrustedRoot(src)
      ? Promise.resolve(src)
      : loadTrustedRoot(typeof src === 'string' ? { kind: 'file', path: src } : src);
    return rootPromise;
  };

  const verifyBundle = async (parsed: ParsedBundle): Promise<VerifiedBundle> => {
    const source = parsed.source;
    const root = await trustedRoot();
    let bundle: Bundle;
    try {
      bundle = sigstoreBundle().bundleFromJSON(parsed.json);
    } catch (e) {
      throw new ModelsealError(
        'MALFORMED_BUNDLE',
        `${source}: not a valid Sigstore bundle: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    if (bundle.content.$case !== 'dsseEnvelope') {
      throw new ModelsealError(
        'MALFORMED_BUNDLE',
        `${source}: expected a DSSE envelope, found a ${bundle.content.$case} bundle`,
      );
    }
    const envelope = bundle.content.dsseEnvelope;
    const leafDer = leafCertificateDer(bundle, source);
    let leaf: X509Certificate;
    try {
      leaf = sigstoreCore().X509Certificate.parse(leafDer as Buffer<ArrayBuffer>);
    } catch (e) {
      throw new ModelsealError(
        'MALFORMED_BUNDLE',
        `${source}: the signing certificate is not valid DER X.509: ${(e as Error).message}`,
        { cause: e },
      );
    }

    // Our own checks first, so that each failure gets the most telling code.
    if (!issuedByTrustedCA(leaf, root)) {
      throw new ModelsealError(
        'UNTRUSTED_CHAIN',
        `${source}: the signing certificate was not issued by any CA in the trusted root`,
      );
    }
    let entity: ReturnType<typeof toSignedEntity>;
    try {
      entity = sigstoreVerify().toSignedEntity(bundle);
    } catch (e) {
      throw fromSigstoreError(e, source);
    }
    if (
      !entity.signature.verifySignature(createPublicKey({ key: leaf.publicKey, format: 'der', type: 'spki' }))
    ) {
      throw new ModelsealError(
        'BAD_SIGNATURE',
        `${source}: the DSSE signature does not match the signed payload and certificate`,
      );
    }
    const tlogCount = bundle.verificationMaterial.tlogEntries.length;
    if (tlogCount < tlogThreshold) {
      throw new ModelsealError('TLOG_MISSING', `${source}: the bundle has no transparency-log entry`, {
        remedy: { option: 'ignoreTlog', action: 'set', to: 'accept that' },
      });
    }
    // Only RFC 3161 tokens and tlog entries with an inclusion promise prove a signing time (Rekor v2 entries do not).
    const timeSources = entity.timestamps.filter(
      (t) => t.$case === 'timestamp-authority' || t.tlogEntry.inclusionPromise,
    );
    if (timeSources.length === 0) {
      throw new ModelsealError(
        'TIMESTAMP_INVALID',
        `${source}: no signing time: the bundle has neither an RFC 3161 timestamp nor a transparency-log entry with an inclusion promise`,
      );
    }

    try {
      new (sigstoreVerify().Verifier)(sigstoreVerify().toTrustMaterial(root), {
        tlogThreshold,
        ctlogThreshold,
        timestampThreshold: 1,
      }).verify(entity);
    } catch (e) {
      throw fromSigstoreError(e, source);
    }

    let signer: FulcioIdentity;
    try {
      signer = readFulcioIdentity(leafDer);
    } catch (e) {
      throw new ModelsealError(
        'EXTENSION_MISMATCH',
        `${source}: the signing certificate is not one Fulcio issues: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    policy.check(signer);

    const warnings: string[] = [];
    if (opts.ignoreTlog) warnings.push('transparency-log requirement disabled (option ignoreTlog)');
    if (opts.ignoreSct) warnings.push('embedded SCT requirement disabled (option ignoreSct)');
    const timestamps = timeSources.map((t) =>
      t.$case === 'timestamp-authority'
        ? { kind: 'tsa' as const, time: t.timestamp.signingTime.toISOString() }
        : { kind: 'tlog' as const, time: new Date(Number(t.tlogEntry.integratedTime) * 1000).toISOString() },
    );
    const extensions: Record<string, string> = {};
    for (const [k, v] of Object.entries(signer.extensions)) if (v !== undefined) extensions[k] = v;
    return {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signer: {
        kind: 'keyless',
        identity: signer.identity ?? '',
        issuer: signer.issuer ?? '',
        extensions,
        timestamps,
        tlogIndex: bundle.verificationMaterial.tlogEntries[0]?.logIndex,
      },
      warnings,
    };
  };

  return {
    kind: 'keyless',
    async verify(parsed: ParsedBundle): Promise<VerifiedBundle> {
      try {
        return await verifyBundle(parsed);
      } catch (e) {
        throw fromSigstoreError(e, parsed.source); // anything unexpected still fails closed, with a code
      }
    },
  };
}
