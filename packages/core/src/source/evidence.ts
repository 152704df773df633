// What a policy is evaluated over: facts that verification already established. Every signature
// and attestation here has passed its cryptographic check (DSSE signature, certificate chain or
// Sigstore trust root); the policy decides whether the signer and the claims are acceptable.
import type { ErrorCode } from '../errors.js';
import type { SignerIdentity } from '../oms/verifier.js';

/** An in-toto Statement v1 whose DSSE envelope verified. */
export interface VerifiedStatement {
  _type: string;
  subject: { name?: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: unknown;
}

/** A model signature that verified: the OMS signature (model.sig / OMS referrer) or a cosign one. */
export interface SignatureEvidence {
  kind: 'oms' | 'cosign';
  signer: SignerIdentity;
}

/** An attestation (DSSE in-toto statement) that verified, with who signed it. */
export interface AttestationEvidence {
  statement: VerifiedStatement;
  signer: SignerIdentity;
  /** Where it came from (referrer digest or file), for messages. */
  source?: string;
}

/** One model file and its detected weight format (`safetensors`, `gguf`, `onnx`, `pickle`, ...). */
export interface WeightFileEvidence {
  path: string;
  format: string;
}

/** A weight-format scan of the model's files. */
export interface ScanEvidence {
  /** True when no finding is dangerous (e.g. no pickle imports outside the safe list). */
  clean: boolean;
  findings: { path: string; message: string; code?: string }[];
  /**
   * Files no loader the scanner knows accepts (format `unknown`), by model-relative path: `scan: clean`
   * refuses each one that `weights.allowUnknown` does not name. Absent means none.
   */
  unknown?: string[];
}

/** Everything verification established about one model, as evaluatePolicy reads it. */
export interface PolicyEvidence {
  /**
   * The digests the verifier recomputed for this model, as `alg:hex` (the OCI manifest digest,
   * the OMS root `sha256:<root>`). Every attestation must name one of them as its subject.
   */
  subjectDigests: string[];
  /** Verified model signatures; an unsigned model has none. */
  signatures: SignatureEvidence[];
  /** Verified attestations of any predicate type. */
  attestations: AttestationEvidence[];
  /** Detected format of every file, when the model's files were examined. */
  files?: WeightFileEvidence[];
  /** The pickle/format scan, when it ran. */
  scan?: ScanEvidence;
  /**
   * Verification attempts that failed, by the check they would have served (`signatures.oms`,
   * `provenance.signer`, ...): a bundle whose signature or identity did not verify, a model whose
   * files do not match its signature. A failed check reports these instead of a bare "missing".
   */
  failures?: VerificationFailure[];
  /**
   * Verified signatures and attestations that are not about this model (another model's files or
   * digest), and bundles that do not parse: listed so `--json` and inspect can show them; never
   * used by a check.
   */
  unbound?: UnboundEvidence[];
}

/**
 * Evidence that is not about the model (see bindEvidence), or a bundle that could not be read
 * (verifyBundles): shown, never trusted.
 */
export interface UnboundEvidence {
  /** Referrer (`REF@sha256:...`) or file it came from. */
  source: string;
  kind: 'oms' | 'cosign' | 'provenance' | 'sbom' | 'attestation';
  predicateType?: string;
  /** The verified signer; absent for a bundle that could not be read (MALFORMED_BUNDLE...). */
  signer?: SignerIdentity;
  /** Why it does not bind: SUBJECT_MISMATCH, TAMPERED_FILE / MISSING_FILE / EXTRA_FILE, UNSUPPORTED_ARTIFACT, ... */
  code: ErrorCode;
  reason: string;
}

/** A verification attempt that failed (see PolicyEvidence.failures). */
export interface VerificationFailure {
  check: string;
  code: ErrorCode;
  message: string;
}
