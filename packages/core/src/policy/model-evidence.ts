// Gathers policy evidence for a model directory on disk: its OMS signature (model.sig) verified
// against the files, and attestation bundles (DSSE in-toto statements) verified with the same
// verifier. A bundle that does not verify becomes a failure for the check it would have served;
// input problems (unreadable files, malformed JSON) are thrown.
import path from 'node:path';
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { stat } from 'node:fs/promises';
import { defaultAttestationPath } from '../attest/attest.js';
import { hashModel } from '../digest/hash-model.js';
import { readInputFile } from '../read-input-file.js';
import { defaultSignaturePath } from '../sign/signature-path.js';
import { scanModel } from '../scan/scan-model.js';
import { parseBundle } from '../verify/parse-bundle.js';
import { verifyModel, type VerifyModelSettings } from '../verify/verify-model.js';
import type { BundleVerifier } from '../verify/verifier.js';
import type {
  AttestationEvidence,
  PolicyEvidence,
  VerificationFailure,
  VerifiedStatement,
} from './evidence.js';
import { evidenceFromScan } from './scan-evidence.js';
import { CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../attest/predicate-types.js';

/** Options of gatherModelEvidence. */
export interface ModelEvidenceOptions extends Pick<
  VerifyModelSettings,
  'signaturePath' | 'jobs' | 'onProgress'
> {
  /**
   * Default true: paths verify leaves out (.git, .gitattributes, .github, .gitignore, signed
   * ignore_paths) that exist fail the OMS signature check with IGNORED_PATH.
   */
  strict?: boolean;
  /** Checks every bundle; usually policyVerifier(policy). */
  verifier: BundleVerifier;
  /**
   * Attestation bundle files to read (each a Sigstore bundle holding a DSSE in-toto statement).
   * Default: the files `modelseal attest` writes beside the model for SLSA provenance v1 and
   * CycloneDX (`MODEL.<type>.sigstore.json`), those that exist.
   */
  attestationPaths?: string[];
  /** Also detect every file's format and scan pickles (scanModel); needed by a `weights` block. Default false. */
  scan?: boolean;
}

/** The check an attestation would serve, from its (not yet verified) predicate type: only to route errors. */
function checkFor(predicateType: unknown): string {
  if (predicateType === SLSA_PROVENANCE_V1) return 'provenance.signer';
  if (typeof predicateType === 'string' && predicateType.startsWith(CYCLONEDX_BOM)) return 'sbom.signer';
  return 'attestations';
}

/** The verified payload as an in-toto statement; MALFORMED_BUNDLE when it is not one. */
export function parseStatementJson(payload: Buffer, source: string): VerifiedStatement {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: the signed payload is not JSON`);
  }
  if (!isJsonObject(v) || !Array.isArray(v.subject) || typeof v.predicateType !== 'string') {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: the signed payload is not an in-toto statement`);
  }
  return v as unknown as VerifiedStatement;
}

const exists = (f: string) =>
  stat(f).then(
    () => true,
    () => false,
  );

const isVerificationError = (e: unknown): e is ModelsealError =>
  e instanceof ModelsealError && e.kind === 'verification';

/**
 * Verify what is there for `modelPath` and return it as evidence. The OMS root is always in
 * `subjectDigests` (recomputed from the files when the signature fails). Throws input errors only.
 */
export async function gatherModelEvidence(
  modelPath: string,
  opts: ModelEvidenceOptions,
): Promise<PolicyEvidence> {
  const evidence: PolicyEvidence = { subjectDigests: [], signatures: [], attestations: [], failures: [] };
  const failures = evidence.failures as VerificationFailure[];
  const signaturePath = opts.signaturePath ?? (await defaultSignaturePath(modelPath));
  try {
    const r = await verifyModel(modelPath, {
      ...opts,
      strict: opts.strict ?? true,
      signaturePath,
      verifier: opts.verifier,
    });
    evidence.signatures.push({ kind: 'oms', signer: r.signer });
    evidence.subjectDigests.push(`sha256:${r.manifest.root}`);
  } catch (e) {
    const missing = e instanceof ModelsealError && e.code === 'NOT_FOUND';
    if (!missing && !isVerificationError(e)) throw e;
    if (!missing) failures.push({ check: 'signatures.oms', code: e.code, message: e.message });
    const manifest = await hashModel(modelPath, { jobs: opts.jobs, signaturePath });
    evidence.subjectDigests.push(`sha256:${manifest.root}`);
  }
  const attestationPaths = opts.attestationPaths?.length
    ? opts.attestationPaths
    : (
        await Promise.all(
          [SLSA_PROVENANCE_V1, CYCLONEDX_BOM].map(async (t) => {
            const f = defaultAttestationPath(modelPath, t);
            return (await exists(f)) ? f : undefined;
          }),
        )
      ).filter((f): f is string => f !== undefined);
  for (const file of attestationPaths) {
    const bundle = parseBundle(await readInputFile(file, 'attestation'), file);
    let predicateType: unknown;
    try {
      predicateType = (JSON.parse(bundle.envelope.payload.toString('utf8')) as { predicateType?: unknown })
        .predicateType;
    } catch {
      predicateType = undefined;
    }
    try {
      const verified = await opts.verifier.verify(bundle);
      const a: AttestationEvidence = {
        statement: parseStatementJson(verified.payload, file),
        signer: verified.signer,
        source: file,
      };
      evidence.attestations.push(a);
    } catch (e) {
      if (!isVerificationError(e)) throw e;
      failures.push({ check: checkFor(predicateType), code: e.code, message: e.message });
    }
  }
  if (opts.scan) {
    const ignore = path.relative(modelPath, signaturePath);
    const report = await scanModel(modelPath, { ignorePaths: ignore.startsWith('..') ? [] : [ignore] });
    Object.assign(evidence, evidenceFromScan(report));
  }
  return evidence;
}
