// Signature verification of a model artifact where it is stored: every sigstore-bundle referrer of
// the manifest (OMS signatures: files matched to layers one to one; cosign signatures: subject = the
// manifest digest) and, with a public key, the legacy `sha256-<hex>.sig` signatures. One signature
// that passes is enough (cosign's rule); every signature is reported with why it passed or failed.
import type { KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { compareManifest } from '../oms/compare-manifest.js';
import {
  OMS_LEGACY_PREDICATE_TYPE,
  OMS_PREDICATE_TYPE,
  parseStatement,
  type SignedManifest,
} from '../oms/statement.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { Descriptor, ReadOnlyTarget } from '../oci/target.js';
import { parseBundle } from '../verify/parse-bundle.js';
import type { BundleVerifier, SignerIdentity } from '../verify/verifier.js';
import { hasSubjectDigest, parseInTotoStatement } from './in-toto.js';
import { legacySignatures, verifyLegacySignature } from './legacy-cosign.js';
import { omsManifestOf, openArtifact, type OpenedArtifact } from './oci-artifact.js';
import { bundleReferrers } from './oci-referrers.js';
import { COSIGN_SIGN_V1 } from './predicate-types.js';
import { errorOf } from './verify-attestation.js';

/** How one signature fared. */
export interface SignatureCheck {
  /** Referrer digest, or `sha256-<hex>.sig layer N`. */
  source: string;
  kind: 'oms' | 'cosign' | 'cosign-legacy';
  verified: boolean;
  signer?: SignerIdentity;
  error?: { code: string; message: string };
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
  /** The OMS manifest of the first passing OMS signature, when there is one. */
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
  /** Raw file layers as OMS resources; undefined when files sit in archive layers (checked after extraction). */
  layerFiles?: Pick<OpenedArtifact, 'shown' | 'name' | 'plan'>;
}

/** Verifies the signatures of an artifact already resolved (used by verifyArtifact and pull --verify). */
export async function verifySignatures(
  a: ArtifactUnderCheck,
  opts: Pick<VerifyArtifactOptions, 'verifier' | 'publicKey' | 'requireOms'>,
): Promise<VerifyArtifactResult> {
  let layerResources: ReturnType<typeof omsManifestOf> | undefined;
  try {
    layerResources = a.layerFiles ? omsManifestOf(a.layerFiles) : undefined;
  } catch (e) {
    if (!(e instanceof ModelsealError && e.code === 'UNSUPPORTED_ARTIFACT')) throw e;
  }
  const checks: SignatureCheck[] = [];
  const failures: unknown[] = [];
  let pass:
    { signer: SignerIdentity; signed?: SignedManifest; bundle?: Buffer; warnings: string[] } | undefined;
  for (const b of await bundleReferrers(a.target, a.descriptor)) {
    const source = b.referrer.digest;
    const kindGuess = b.predicateType === COSIGN_SIGN_V1 ? 'cosign' : 'oms';
    if (
      b.predicateType &&
      ![OMS_PREDICATE_TYPE, OMS_LEGACY_PREDICATE_TYPE, COSIGN_SIGN_V1].includes(b.predicateType)
    )
      continue;
    try {
      const verified = await opts.verifier.verify(parseBundle(b.bytes, source));
      const statement = parseInTotoStatement(verified.payload, source);
      if (statement.predicateType === COSIGN_SIGN_V1) {
        if (!hasSubjectDigest(statement, a.descriptor.digest))
          throw new ModelsealError(
            'SUBJECT_MISMATCH',
            `${source}: the cosign signature is not about ${a.descriptor.digest}`,
          );
        checks.push({ source, kind: 'cosign', verified: true, signer: verified.signer });
        if (!opts.requireOms) pass ??= { signer: verified.signer, warnings: verified.warnings };
        continue;
      }
      const signed = parseStatement(verified.payload, source);
      if (layerResources) compareManifest(signed, layerResources.resources);
      checks.push({ source, kind: 'oms', verified: true, signer: verified.signer });
      if (!pass?.signed)
        pass = { signer: verified.signer, signed, bundle: b.bytes, warnings: verified.warnings };
    } catch (e) {
      failures.push(e);
      checks.push({ source, kind: kindGuess, verified: false, error: errorOf(e) });
    }
  }
  if (opts.publicKey) {
    for (const sig of await legacySignatures(a.target, a.descriptor)) {
      try {
        verifyLegacySignature(sig, opts.publicKey, a.descriptor.digest);
        checks.push({ source: sig.source, kind: 'cosign-legacy', verified: true, signer: { kind: 'key' } });
        if (!opts.requireOms)
          pass ??= { signer: { kind: 'key' }, warnings: ['verified a legacy cosign .sig signature'] };
      } catch (e) {
        failures.push(e);
        checks.push({ source: sig.source, kind: 'cosign-legacy', verified: false, error: errorOf(e) });
      }
    }
  }
  if (pass) {
    return {
      reference: a.shown,
      digest: a.descriptor.digest,
      signer: pass.signer,
      ...(pass.signed ? { signed: pass.signed } : {}),
      ...(pass.bundle ? { bundle: pass.bundle } : {}),
      checks,
      warnings: pass.warnings,
    };
  }
  const first = failures[0];
  if (first instanceof ModelsealError)
    throw new ModelsealError(first.code, first.message, {
      cause: first,
      details: { ...first.details, checks },
    });
  if (first !== undefined)
    throw first instanceof Error ? first : new Error('signature verification failed', { cause: first });
  throw new ModelsealError(
    'SIGNATURE_MISSING',
    `${a.shown} (${a.descriptor.digest}) has no ${opts.requireOms ? 'OMS model ' : ''}signature`,
    { details: { checks } },
  );
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
