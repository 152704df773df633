// Signature verification of a model artifact where it is stored: every sigstore-bundle referrer of
// the manifest (OMS signatures: files matched to layers one to one; cosign signatures: subject = the
// manifest digest) and, with a public key, the legacy `sha256-<hex>.sig` signatures. One signature
// that passes is enough (cosign's rule); every signature is reported with why it passed or failed.
import type { KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { OMS_LEGACY_PREDICATE_TYPE, OMS_PREDICATE_TYPE, type SignedManifest } from '../oms/statement.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { Descriptor, ReadOnlyTarget } from '../oci/target.js';
import { parseBundle } from '../oms/parse-bundle.js';
import type { BundleVerifier, SignerIdentity } from '../oms/verifier.js';
import { bindEvidence, type BoundOmsSignature, type VerifiedEvidence } from '../source/bind-evidence.js';
import { layerFileSet } from '../source/file-set.js';
import { isRunEnding } from '../source/run-ending-error.js';
import { parseInTotoStatement } from '../in-toto/statement.js';
import { legacySignatures, verifyLegacySignature } from '../source/legacy-cosign.js';
import { openArtifact, type OpenedArtifact } from '../source/oci-artifact.js';
import { bundleReferrers, type SkippedReferrer } from '../source/oci-referrers.js';
import { COSIGN_SIGN_V1 } from '../in-toto/predicate-types.js';
import { errorOf, type CheckError } from '../check-error.js';

/** How one signature fared. */
export interface SignatureCheck {
  /** Referrer digest, or `sha256-<hex>.sig layer N`. */
  source: string;
  kind: 'oms' | 'cosign' | 'cosign-legacy';
  verified: boolean;
  signer?: SignerIdentity;
  error?: CheckError;
}

/** Options of verifySignatures / verifyArtifact: who must have signed; legacy key; OMS-only. */
export interface VerifyArtifactOptions extends OpenTargetOptions {
  verifier: BundleVerifier;
  /** Also check legacy `.sig` signatures with this key. */
  publicKey?: KeyObject;
  /** Only an OMS signature counts (what a pull needs to check files). Default false. */
  requireOms?: boolean;
}

/** A verified artifact: its digest, the signer, the OMS manifest when one passed, every check made. */
export interface VerifyArtifactResult {
  reference: string;
  digest: string;
  signer: SignerIdentity;
  /** The OMS manifest of a bound OMS signature (the first by referrer digest), when there is one. */
  signed?: SignedManifest;
  /** The bytes of that OMS signature bundle. */
  bundle?: Buffer;
  checks: SignatureCheck[];
  warnings: string[];
}

/** The artifact as the checks need it: where, which manifest, and its layers' OMS view (if raw). */
export interface ArtifactUnderCheck {
  target: ReadOnlyTarget;
  shown: string;
  descriptor: Descriptor;
  manifest: ImageManifest;
  /** The artifact's layers (their file set); undefined when unknown (no OMS signature then binds). */
  layerFiles?: Pick<OpenedArtifact, 'shown' | 'name' | 'plan'>;
}

/** The signatures of an artifact, checked and bound, before a verdict is drawn from them. */
export interface CheckedSignatures {
  checks: SignatureCheck[];
  /** OMS signatures whose files are exactly the artifact's, sorted by source. */
  oms: BoundOmsSignature[];
  /** Cosign (and legacy `.sig`) signatures about the manifest digest. */
  others: { signer: SignerIdentity; warnings: string[] }[];
  /** OMS signatures that verified but whose files cannot be compared before download (archive layers). */
  pending: VerifiedEvidence[];
  /** Every OMS signature whose signature verified, bound or not (to bind again against staged files). */
  verifiedOms: VerifiedEvidence[];
  failures: unknown[];
  /** Referrers that could not be read (warnings; the verdict rests on the others). */
  skipped: SkippedReferrer[];
}

const SIGNATURE_TYPES = [OMS_PREDICATE_TYPE, OMS_LEGACY_PREDICATE_TYPE, COSIGN_SIGN_V1];

/**
 * Verify every signature referrer of `a` with `opts.verifier` and bind it (source/bindEvidence): an
 * OMS signature counts only when it lists exactly the artifact's files, a cosign signature only when
 * its subject is the manifest digest. Referrer order does not matter. Throws input errors, and
 * TIMEOUT, REGISTRY_AUTH or an abort met while listing or checking (they end the run, see isRunEnding).
 */
export async function checkSignatures(
  a: ArtifactUnderCheck,
  opts: Pick<VerifyArtifactOptions, 'verifier' | 'publicKey'>,
): Promise<CheckedSignatures> {
  const out: CheckedSignatures = {
    checks: [],
    oms: [],
    others: [],
    pending: [],
    verifiedOms: [],
    failures: [],
    skipped: [],
  };
  const verified: VerifiedEvidence[] = [];
  const listing = await bundleReferrers(a.target, a.descriptor);
  out.skipped = listing.skipped;
  const referrers = listing.bundles
    .filter((b) => b.predicateType === undefined || SIGNATURE_TYPES.includes(b.predicateType))
    .sort((x, y) => (x.referrer.digest < y.referrer.digest ? -1 : 1));
  for (const b of referrers) {
    const source = b.referrer.digest;
    const kindGuess = b.predicateType === COSIGN_SIGN_V1 ? 'cosign' : 'oms';
    try {
      const v = await opts.verifier.verify(parseBundle(b.bytes, source));
      const statement = parseInTotoStatement(v.payload, source);
      if (!SIGNATURE_TYPES.includes(statement.predicateType)) continue; // an attestation, not a signature
      const evidence = { source, bytes: b.bytes, payload: v.payload, signer: v.signer, warnings: v.warnings };
      verified.push(evidence);
      if (statement.predicateType !== COSIGN_SIGN_V1) out.verifiedOms.push(evidence);
    } catch (e) {
      if (isRunEnding(e)) throw e;
      out.failures.push(e);
      out.checks.push({ source, kind: kindGuess, verified: false, error: errorOf(e) });
    }
  }
  const files = a.layerFiles
    ? layerFileSet(a.layerFiles.plan, a.shown)
    : () => {
        throw new ModelsealError('UNSUPPORTED_ARTIFACT', `${a.shown}: the artifact's files are not known`);
      };
  const bound = await bindEvidence(
    { shown: a.shown, manifestDigest: a.descriptor.digest, files: async (c) => files(c) },
    verified,
  );
  for (const s of bound.oms) {
    out.oms.push(s);
    out.checks.push({ source: s.source, kind: 'oms', verified: true, signer: s.signer });
  }
  for (const s of bound.cosign) {
    out.others.push(s);
    out.checks.push({ source: s.source, kind: 'cosign', verified: true, signer: s.signer });
  }
  for (const u of bound.unbound) {
    const kind = u.kind === 'cosign' ? 'cosign' : 'oms';
    const error = new ModelsealError(u.code, u.reason);
    if (kind === 'oms' && u.code === 'UNSUPPORTED_ARTIFACT') {
      const v = verified.find((x) => x.source === u.source);
      if (v) out.pending.push(v);
    }
    out.failures.push(error);
    out.checks.push({ source: u.source, kind, verified: false, signer: u.signer, error: errorOf(error) });
  }
  if (opts.publicKey) {
    for (const sig of await legacySignatures(a.target, a.descriptor)) {
      try {
        verifyLegacySignature(sig, opts.publicKey, a.descriptor.digest);
        out.checks.push({
          source: sig.source,
          kind: 'cosign-legacy',
          verified: true,
          signer: { kind: 'key' },
        });
        out.others.push({ signer: { kind: 'key' }, warnings: ['verified a legacy cosign .sig signature'] });
      } catch (e) {
        if (isRunEnding(e)) throw e;
        out.failures.push(e);
        out.checks.push({ source: sig.source, kind: 'cosign-legacy', verified: false, error: errorOf(e) });
      }
    }
  }
  return out;
}

/** The error for checked signatures that hold no passing one: the first failure, or SIGNATURE_MISSING. */
export function signatureFailure(
  a: Pick<ArtifactUnderCheck, 'shown' | 'descriptor'>,
  checked: Pick<CheckedSignatures, 'checks' | 'failures'> & Partial<Pick<CheckedSignatures, 'skipped'>>,
  requireOms: boolean,
): Error {
  const { checks } = checked;
  const first = checked.failures[0];
  if (first instanceof ModelsealError)
    return new ModelsealError(first.code, first.message, {
      cause: first,
      details: { ...first.details, checks },
    });
  if (first !== undefined)
    return first instanceof Error ? first : new Error('signature verification failed', { cause: first });
  const skipped = checked.skipped ?? [];
  const unread =
    skipped.length > 0 ? ` (${skipped.length} referrer(s) could not be read: ${skipped[0].message})` : '';
  return new ModelsealError(
    'SIGNATURE_MISSING',
    `${a.shown} (${a.descriptor.digest}) has no ${requireOms ? 'OMS model ' : ''}signature${unread}`,
    { details: { checks, ...(skipped.length > 0 ? { skipped } : {}) } },
  );
}

/**
 * Verifies the signatures of an artifact already resolved (used by verifyArtifact and inspect): one
 * bound signature is enough (cosign's rule). Throws signatureFailure's error when none passes: an
 * OMS signature over other files (TAMPERED_FILE, MISSING_FILE, EXTRA_FILE), over files in archive
 * layers (UNSUPPORTED_ARTIFACT: never skipped), a cosign signature about another manifest
 * (SUBJECT_MISMATCH), BAD_SIGNATURE, IDENTITY_MISMATCH..., or SIGNATURE_MISSING.
 */
export async function verifySignatures(
  a: ArtifactUnderCheck,
  opts: Pick<VerifyArtifactOptions, 'verifier' | 'publicKey' | 'requireOms'>,
): Promise<VerifyArtifactResult> {
  const checked = await checkSignatures(a, opts);
  const [oms] = checked.oms;
  const other = opts.requireOms ? undefined : checked.others[0];
  if (!oms && !other) throw signatureFailure(a, checked, opts.requireOms ?? false);
  return {
    reference: a.shown,
    digest: a.descriptor.digest,
    signer: oms ? oms.signer : (other as { signer: SignerIdentity }).signer,
    ...(oms ? { signed: oms.signed, bundle: oms.bundle } : {}),
    checks: checked.checks,
    warnings: [...checked.skipped.map((x) => x.message), ...(oms ? oms.warnings : (other?.warnings ?? []))],
  };
}

/**
 * Verifies the signatures on `ref` without downloading a layer. Throws SIGNATURE_MISSING, or the first
 * failure (BAD_SIGNATURE, IDENTITY_MISMATCH, TAMPERED_FILE / MISSING_FILE / EXTRA_FILE for layers that
 * differ from the signed files, SUBJECT_MISMATCH, ...) with `details.checks` listing every signature.
 */
export async function verifyArtifact(
  ref: string,
  opts: VerifyArtifactOptions,
): Promise<VerifyArtifactResult> {
  return verifySignatures(underCheck(await openArtifact(ref, opts)), opts);
}

/** An opened artifact as verifySignatures takes it. */
export function underCheck(artifact: OpenedArtifact): ArtifactUnderCheck {
  return {
    target: artifact.target,
    shown: artifact.shown,
    descriptor: artifact.plan.descriptor,
    manifest: artifact.plan.manifest,
    layerFiles: artifact,
  };
}
