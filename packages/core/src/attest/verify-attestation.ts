// Attestation verification: for every candidate bundle, check the signature with any BundleVerifier,
// then the predicateType (exact, as cosign), then that a subject digest is this artifact's.
// One bundle that passes is enough (cosign's rule); every outcome is reported.
import { ModelsealError } from '../errors.js';
import { parseBundle } from '../oms/parse-bundle.js';
import { isRunEnding } from '../source/run-ending-error.js';
import type { BundleVerifier, SignerIdentity } from '../oms/verifier.js';
import { hasSubjectDigest, parseInTotoStatement, type InTotoStatement } from '../in-toto/statement.js';
import { errorOf, type CheckError } from '../check-error.js';

/** One bundle to check: its bytes and where it came from (file path or referrer digest). */
export interface AttestationCandidate {
  source: string;
  bytes: Buffer;
}

/** The outcome for one candidate. */
export interface AttestationCheck {
  source: string;
  verified: boolean;
  predicateType?: string;
  signer?: SignerIdentity;
  error?: CheckError;
  statement?: InTotoStatement;
}

/**
 * Options of verifyAttestations(): the verifier and the predicate type and subject digests that must
 * match.
 */
export interface CheckAttestationsOptions {
  verifier: BundleVerifier;
  /** Exact predicateType URI required. */
  predicateType: string;
  /** Digests of this artifact (`sha256:<hex>` or hex); one subject must carry one of them. */
  subjectDigests: string[];
}

/** What verifyAttestations() proved: the statement, its predicate and the signer. */
export interface VerifiedAttestation {
  statement: InTotoStatement;
  signer: SignerIdentity;
  source: string;
  warnings: string[];
  /** Every candidate with why it passed or failed, in input order. */
  checks: AttestationCheck[];
}

async function checkOne(
  c: AttestationCandidate,
  opts: CheckAttestationsOptions,
): Promise<{ check: AttestationCheck; warnings: string[]; cause?: unknown }> {
  try {
    const verified = await opts.verifier.verify(parseBundle(c.bytes, c.source));
    const statement = parseInTotoStatement(verified.payload, c.source);
    const base = { source: c.source, predicateType: statement.predicateType, signer: verified.signer };
    if (statement.predicateType !== opts.predicateType) {
      const e = new ModelsealError(
        'ATTESTATION_MISSING',
        `${c.source}: predicateType '${statement.predicateType}', not '${opts.predicateType}'`,
      );
      return { check: { ...base, verified: false, error: errorOf(e) }, warnings: [], cause: e };
    }
    if (!opts.subjectDigests.some((d) => hasSubjectDigest(statement, d))) {
      const got = statement.subject.map((s) => `sha256:${s.digest.sha256 ?? '?'}`).join(', ');
      const e = new ModelsealError(
        'SUBJECT_MISMATCH',
        `${c.source}: the attestation is about ${got}, not ${opts.subjectDigests.join(' or ')}`,
      );
      return { check: { ...base, verified: false, error: errorOf(e) }, warnings: [], cause: e };
    }
    return { check: { ...base, verified: true, statement }, warnings: verified.warnings };
  } catch (e) {
    if (isRunEnding(e)) throw e;
    return { check: { source: c.source, verified: false, error: errorOf(e) }, warnings: [], cause: e };
  }
}

/**
 * Verifies candidate attestation bundles and returns the first that passes, with every check.
 * Throws ATTESTATION_MISSING when there is no candidate or none has the predicateType, else the error of
 * the first failing candidate of that type (SUBJECT_MISMATCH, BAD_SIGNATURE, IDENTITY_MISMATCH, ...),
 * with `details.checks` listing them all. TIMEOUT, REGISTRY_AUTH or an abort is thrown as it is (see isRunEnding).
 */
export async function verifyAttestations(
  candidates: AttestationCandidate[],
  opts: CheckAttestationsOptions,
): Promise<VerifiedAttestation> {
  const results = [];
  for (const c of candidates) results.push(await checkOne(c, opts));
  const checks = results.map((r) => r.check);
  const pass = results.find((r) => r.check.verified);
  if (pass?.check.statement && pass.check.signer) {
    return {
      statement: pass.check.statement,
      signer: pass.check.signer,
      source: pass.check.source,
      warnings: pass.warnings,
      checks,
    };
  }
  const relevant = results.find((r) => r.check.error?.code !== 'ATTESTATION_MISSING');
  if (relevant?.cause instanceof ModelsealError) {
    const e = relevant.cause;
    throw new ModelsealError(e.code, e.message, { cause: e, details: { checks }, remedy: e.remedy });
  }
  if (relevant) throw relevant.cause instanceof Error ? relevant.cause : new Error(String(relevant.cause));
  throw new ModelsealError(
    'ATTESTATION_MISSING',
    candidates.length === 0
      ? `no attestation found (wanted predicateType '${opts.predicateType}')`
      : `none of the ${candidates.length} attestations has predicateType '${opts.predicateType}'`,
    { details: { checks } },
  );
}
