// `inspect REF` with evidence: the artifact's tree (inspectArtifact) plus, for each Sigstore bundle
// referrer and legacy `sha256-<hex>.sig` layer, what it is (OMS / cosign signature, provenance, SBOM,
// other attestation), who it says signed it, and, with a verifier, whether it verifies — checked by
// the same code as `verify REF` (verifySignatures) and `verify-attestation REF` (verifyAttestations).
import type { KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { inspectArtifact, type InspectResult } from '../oci/inspect.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import { OMS_LEGACY_PREDICATE_TYPE, OMS_PREDICATE_TYPE } from '../oms/statement.js';
import { parseBundle } from '../oms/parse-bundle.js';
import type { BundleVerifier, SignerIdentity } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import { claimedSigner } from './claimed-signer.js';
import { claimedPredicateType, evidenceKind } from '../source/evidence-kind.js';
import { legacySignatures } from '../source/legacy-cosign.js';
import { openArtifact, type OpenedArtifact } from '../source/oci-artifact.js';
import { bundleReferrers } from '../source/oci-referrers.js';
import { COSIGN_SIGN_V1 } from '../in-toto/predicate-types.js';
import { verifyAttestations } from './verify-attestation.js';
import { errorOf, type CheckError } from '../check-error.js';
import { checkSignatures, underCheck, type SignatureCheck } from '../verify/verify-artifact.js';

/** One signature or attestation found on an artifact. */
export interface EvidenceEntry {
  /** Referrer manifest digest, or `sha256-<hex>.sig layer N` for a legacy signature. */
  source: string;
  kind: 'oms' | 'cosign' | 'cosign-legacy' | 'attestation' | 'unreadable';
  /** The statement's predicateType (annotation, else the payload's claim). */
  predicateType?: string;
  /** The verified signer when verified, else who the bundle's material claims (unverified). */
  signer?: SignerIdentity;
  /** Set only when a verifier was given (undefined: not checked). */
  verified?: boolean;
  error?: CheckError;
}

/** inspectArtifact's result plus every signature and attestation with its signer and verdict. */
export interface ArtifactEvidence extends InspectResult {
  evidence: EvidenceEntry[];
}

/** Options of inspectEvidence: where the artifact is and, to check each entry, who must have signed. */
export interface InspectEvidenceOptions extends OpenTargetOptions {
  verifier?: BundleVerifier;
  /** Checks legacy `.sig` signatures (key only). */
  publicKey?: KeyObject;
}

const SIGNATURE_TYPES: (string | undefined)[] = [
  OMS_PREDICATE_TYPE,
  OMS_LEGACY_PREDICATE_TYPE,
  COSIGN_SIGN_V1,
];

function kindOf(type: string | undefined): EvidenceEntry['kind'] {
  const kind = evidenceKind(type);
  return kind === 'oms' || kind === 'cosign' ? kind : 'attestation';
}

async function signatureChecks(
  artifact: OpenedArtifact,
  opts: InspectEvidenceOptions & { verifier: BundleVerifier },
): Promise<{ checks: Map<string, SignatureCheck>; roots: string[] }> {
  const checked = await checkSignatures(underCheck(artifact), opts);
  return {
    checks: new Map(checked.checks.map((c) => [c.source, c])),
    roots: checked.oms.map((s) => s.signed.root),
  };
}

/**
 * Inspects `ref` (manifest, layers, referrers tree; no layer downloaded) and lists its signatures and
 * attestations with their claimed signer; with `verifier` each is checked (`verified`, and the
 * verified signer or the error). Throws as inspectArtifact and openArtifact (an index has no evidence).
 */
export async function inspectEvidence(
  ref: string,
  opts: InspectEvidenceOptions = {},
): Promise<ArtifactEvidence> {
  let artifact: OpenedArtifact;
  try {
    artifact = await openArtifact(ref, opts);
  } catch (e) {
    // an index, or a manifest whose layers are no model format: the plain tree, no evidence
    if (!(e instanceof ModelsealError && e.code === 'UNSUPPORTED_ARTIFACT')) throw e;
    return { ...(await inspectArtifact(ref, opts)), evidence: [] };
  }
  // the tree of the very manifest checked below (pinned by digest: a moved tag cannot mix two)
  const inspected = {
    ...(await inspectArtifact(artifact.target, { ...opts, reference: artifact.plan.descriptor.digest })),
    reference: artifact.shown,
  };
  const verifier = opts.verifier;
  const signatures = verifier ? await signatureChecks(artifact, { ...opts, verifier }) : undefined;
  const checked = signatures?.checks ?? new Map<string, SignatureCheck>();
  // an attestation is about this artifact when it names the manifest digest or a bound OMS root
  const digests = [artifact.plan.descriptor.digest.slice('sha256:'.length), ...(signatures?.roots ?? [])];
  const evidence: EvidenceEntry[] = [];
  const referrers = await bundleReferrers(artifact.target, artifact.plan.descriptor);
  // a referrer that could not be read is shown as such, with why
  for (const s of referrers.skipped)
    evidence.push({
      source: s.digest,
      kind: 'unreadable',
      ...(verifier ? { verified: false } : {}),
      error: { code: s.code, message: s.message },
    });
  for (const b of referrers.bundles) {
    const source = b.referrer.digest;
    let parsed: ParsedBundle;
    try {
      parsed = parseBundle(b.bytes, source);
    } catch (e) {
      evidence.push({
        source,
        kind: 'unreadable',
        ...(b.predicateType ? { predicateType: b.predicateType } : {}),
        ...(verifier ? { verified: false } : {}),
        error: errorOf(e),
      });
      continue;
    }
    const predicateType = b.predicateType ?? claimedPredicateType(parsed.envelope.payload);
    const kind = kindOf(predicateType);
    const claimed = claimedSigner(parsed);
    const entry: EvidenceEntry = {
      source,
      kind,
      ...(predicateType ? { predicateType } : {}),
      ...(claimed ? { signer: claimed } : {}),
    };
    if (verifier && SIGNATURE_TYPES.includes(predicateType)) {
      const c = checked.get(source);
      entry.verified = c?.verified ?? false;
      if (c?.signer) entry.signer = c.signer;
      if (c?.error) entry.error = c.error;
    } else if (verifier && predicateType) {
      try {
        const v = await verifyAttestations([{ source, bytes: b.bytes }], {
          verifier,
          predicateType,
          subjectDigests: digests,
        });
        entry.verified = true;
        entry.signer = v.signer;
      } catch (e) {
        if (!(e instanceof ModelsealError) || e.kind !== 'verification') throw e;
        entry.verified = false;
        entry.error = errorOf(e);
      }
    }
    evidence.push(entry);
  }
  for (const sig of await legacySignatures(artifact.target, artifact.plan.descriptor)) {
    const c = checked.get(sig.source);
    evidence.push({
      source: sig.source,
      kind: 'cosign-legacy',
      signer: c?.signer ?? { kind: 'key' },
      ...(c ? { verified: c.verified } : {}),
      ...(c?.error ? { error: c.error } : {}),
    });
  }
  return { ...inspected, evidence };
}
