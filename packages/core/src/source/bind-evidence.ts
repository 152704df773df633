// bindEvidence: the one place that decides whether a verified signature or attestation is about
// *this* model. An OMS signature is bound only when its signed manifest equals the model's file set
// exactly (every file named once, same digests, nothing unsigned, nothing missing); a cosign
// signature or an attestation only when a subject is the manifest digest or the OMS root of a bound
// OMS signature. Everything else is returned as unbound, with why, and must never be trusted. The
// result does not depend on the order of the input: it is sorted by source.
import { ModelsealError } from '../errors.js';
import { compareManifest } from '../oms/compare-manifest.js';
import { parseStatement, type SignedManifest } from '../oms/statement.js';
import { parseInTotoStatement } from '../in-toto/statement.js';
import type { AttestationEvidence, UnboundEvidence, VerifiedStatement } from './evidence.js';
import type { ErrorCode } from '../errors.js';
import type { SignerIdentity } from '../oms/verifier.js';
import { evidenceKind, type EvidenceKind } from './evidence-kind.js';
import type { FileSet } from './file-set.js';

/** A bundle whose signature verified: where it came from, its bytes, its verified payload and signer. */
export interface VerifiedEvidence {
  /** Referrer digest or file path, for messages; also the sort key. */
  source: string;
  /** The bundle as stored. */
  bytes: Buffer;
  /** The verified DSSE payload (an in-toto statement). */
  payload: Buffer;
  signer: SignerIdentity;
  warnings?: string[];
}

/** What the evidence must be about. */
export interface EvidenceSubject {
  /** The model as shown in messages. */
  shown: string;
  /** An artifact's manifest digest (`sha256:<hex>`); undefined for a directory. */
  manifestDigest?: string;
  /** The model's files, as OMS resources under a signature's hashing config. */
  files: FileSet;
  /**
   * A model on disk: its own OMS root (`sha256:<hex>`, recomputed from its files), asked for only
   * when no OMS signature bound; attestations may then name it. Undefined for an artifact.
   */
  ownRoot?: () => Promise<string>;
}

/** An OMS signature whose signed files are exactly the model's. */
export interface BoundOmsSignature {
  source: string;
  signer: SignerIdentity;
  signed: SignedManifest;
  /** The bundle bytes (e.g. to write as DEST/model.sig). */
  bundle: Buffer;
  warnings: string[];
}

/** A cosign signature whose subject is the manifest digest. */
export interface BoundCosignSignature {
  source: string;
  signer: SignerIdentity;
  warnings: string[];
}

/** bindEvidence's result: bound evidence by kind, and the unbound rest. Each list is sorted by source. */
export interface BoundEvidence {
  /** The manifest digest and the roots of the bound OMS signatures, as `sha256:<hex>`. */
  subjectDigests: string[];
  oms: BoundOmsSignature[];
  cosign: BoundCosignSignature[];
  attestations: AttestationEvidence[];
  unbound: UnboundEvidence[];
}

const codeOf = (e: unknown): ErrorCode => (e instanceof ModelsealError ? e.code : 'MALFORMED_BUNDLE');
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const bySource = <T extends { source?: string }>(a: T, b: T) =>
  (a.source ?? '') < (b.source ?? '') ? -1 : (a.source ?? '') > (b.source ?? '') ? 1 : 0;

function subjectDigestsOf(statement: { subject: { digest: Record<string, string> }[] }): string[] {
  return statement.subject.flatMap((s) =>
    Object.entries(s.digest).map(([alg, hex]) => `${alg}:${String(hex).toLowerCase()}`),
  );
}

/**
 * Keep only the evidence about `subject`. Never throws for evidence that does not bind (it is
 * returned in `unbound` with its code); throws only what the file set throws for input errors
 * (UNREADABLE, ...) other than UNSUPPORTED_ARTIFACT and mismatch codes. Duplicate sources count once.
 */
export async function bindEvidence(
  subject: EvidenceSubject,
  verified: readonly VerifiedEvidence[],
): Promise<BoundEvidence> {
  const unique = [...new Map(verified.map((v) => [v.source, v])).values()].sort(bySource);
  const out: BoundEvidence = { subjectDigests: [], oms: [], cosign: [], attestations: [], unbound: [] };
  if (subject.manifestDigest) out.subjectDigests.push(subject.manifestDigest.toLowerCase());
  const rest: { v: VerifiedEvidence; statement: VerifiedStatement; kind: EvidenceKind }[] = [];
  const unbind = (v: VerifiedEvidence, kind: EvidenceKind, code: ErrorCode, reason: string, type?: string) =>
    out.unbound.push({
      source: v.source,
      kind,
      ...(type !== undefined ? { predicateType: type } : {}),
      signer: v.signer,
      code,
      reason: `${v.source}: ${reason}`,
    });

  // OMS signatures first: their roots are what attestations may name.
  for (const v of unique) {
    let statement: VerifiedStatement;
    try {
      statement = parseInTotoStatement(v.payload, v.source);
    } catch (e) {
      unbind(v, 'attestation', codeOf(e), messageOf(e));
      continue;
    }
    const kind = evidenceKind(statement.predicateType);
    if (kind !== 'oms') {
      rest.push({ v, statement, kind });
      continue;
    }
    try {
      const signed = parseStatement(v.payload, v.source);
      compareManifest(signed, await subject.files(signed));
      out.oms.push({
        source: v.source,
        signer: v.signer,
        signed,
        bundle: v.bytes,
        warnings: v.warnings ?? [],
      });
      const root = `sha256:${signed.root}`;
      if (!out.subjectDigests.includes(root)) out.subjectDigests.push(root);
    } catch (e) {
      if (!(e instanceof ModelsealError) || (e.kind !== 'verification' && e.code !== 'UNSUPPORTED_ARTIFACT'))
        throw e;
      unbind(
        v,
        'oms',
        e.code,
        `the OMS signature is not about the files of ${subject.shown}: ${e.message}`,
        statement.predicateType,
      );
    }
  }

  if (out.oms.length === 0 && subject.ownRoot) {
    const root = (await subject.ownRoot()).toLowerCase();
    if (!out.subjectDigests.includes(root)) out.subjectDigests.push(root);
  }
  const known = new Set(out.subjectDigests);
  for (const { v, statement, kind } of rest) {
    const names = subjectDigestsOf(statement);
    const manifestOnly = kind === 'cosign';
    const about = names.some((d) => (manifestOnly ? d === subject.manifestDigest : known.has(d)));
    if (!about) {
      const wanted = manifestOnly ? [subject.manifestDigest ?? '(no manifest)'] : [...known];
      unbind(
        v,
        kind,
        'SUBJECT_MISMATCH',
        `its subject (${names.join(', ') || 'none'}) is not ${subject.shown} (${wanted.join(', ') || 'no digest'})`,
        statement.predicateType,
      );
      continue;
    }
    if (kind === 'cosign')
      out.cosign.push({ source: v.source, signer: v.signer, warnings: v.warnings ?? [] });
    else out.attestations.push({ statement, signer: v.signer, source: v.source });
  }
  out.unbound.sort(bySource);
  return out;
}

export type { UnboundEvidence } from './evidence.js';
