// Typed errors with stable codes. The CLI prints `code` and maps `kind` to an exit code:
// 'verification' -> 1 (the artifact is not what it claims), 'input' -> 2 (bad usage or unreadable input).

/** What failed: the artifact (`verification`, CLI exit 1) or the request (`input`, CLI exit 2). */
export type ErrorKind = 'verification' | 'input';

const INPUT_CODES = [
  'USAGE',
  'NOT_FOUND',
  'UNREADABLE',
  'EMPTY_MODEL',
  'SYMLINK',
  'MALFORMED_BUNDLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_KEY',
  'BAD_PASSWORD',
  'MISSING_IDENTITY_TOKEN',
  'SIGSTORE_SERVICE',
  'TRUST_ROOT',
  'BAD_REFERENCE',
  'REGISTRY',
  'REGISTRY_AUTH',
  'MANIFEST_TOO_LARGE',
  'UNSUPPORTED_ARTIFACT',
  'DEST_EXISTS',
  'UNWRITABLE',
  'NAME_TOO_LONG',
  'NOT_A_DIRECTORY',
  'BUSY',
  'TIMEOUT',
  'BUNDLE_TOO_LARGE',
  'POLICY_INVALID',
  'INVALID_SBOM',
  'INVALID_PROVENANCE',
  'ATTESTATION_STORE',
  'UNPORTABLE_PATH',
  'MALFORMED_REVIEW',
  'TOO_MANY_REFERRERS',
] as const;

/** Verification codes that fault the signature (the bundle, its signer or its log proofs), not the model. */
const SIGNATURE_VERIFICATION_CODES = [
  'BAD_SIGNATURE',
  'WRONG_KEY',
  'UNTRUSTED_CHAIN',
  'CERTIFICATE_EXPIRED',
  'KEY_USAGE',
  'IDENTITY_MISMATCH',
  'ISSUER_MISMATCH',
  'EXTENSION_MISMATCH',
  'TLOG_MISSING',
  'TLOG_INVALID',
  'SCT_INVALID',
  'TIMESTAMP_INVALID',
] as const;

const VERIFICATION_CODES = [
  'TAMPERED_FILE',
  'MISSING_FILE',
  'EXTRA_FILE',
  ...SIGNATURE_VERIFICATION_CODES,
  'MANIFEST_INCONSISTENT',
  'DIGEST_MISMATCH',
  'UNSAFE_PATH',
  'IGNORED_PATH',
  'SIGNATURE_MISSING',
  'ATTESTATION_MISSING',
  'SUBJECT_MISMATCH',
  'PROVENANCE_REJECTED',
  'LICENSE_DENIED',
  'MODEL_CARD_INCOMPLETE',
  'WEIGHT_FORMAT_DENIED',
  'SCAN_FAILED',
] as const;

/** Every stable error code, e.g. `TAMPERED_FILE`; see ErrorCodes. */
export type ErrorCode = (typeof INPUT_CODES)[number] | (typeof VERIFICATION_CODES)[number];

/**
 * Every stable error code modelseal can raise, as `ErrorCodes.X === 'X'`. Add new codes to
 * INPUT_CODES (exit 2) or VERIFICATION_CODES (exit 1), never rename one.
 */
export const ErrorCodes = Object.fromEntries([...INPUT_CODES, ...VERIFICATION_CODES].map((c) => [c, c])) as {
  readonly [C in ErrorCode]: C;
};

const IS_VERIFICATION: ReadonlySet<string> = new Set(VERIFICATION_CODES);
const IS_SIGNATURE_FAULT: ReadonlySet<string> = new Set<string>([
  ...SIGNATURE_VERIFICATION_CODES,
  'MALFORMED_BUNDLE',
]);

/**
 * True when an error code faults the signature file rather than the model's files: the signature
 * does not verify, was made by a signer the caller did not trust, lacks or fails its log/timestamp
 * proofs, or the bundle cannot be parsed (MALFORMED_BUNDLE). Front ends point at the signature file
 * for these (the Action's annotation goes on model.sig). False for every other string.
 */
export function isSignatureFault(code: string): boolean {
  return IS_SIGNATURE_FAULT.has(code);
}

/**
 * The option of the call that gets past an error, by its core name (`overwrite`, `signaturePath`):
 * `set` it (a boolean switched on) `to` do something, or `change` it to another value; `expected`
 * names the option whose expected value the input failed (a verification fact: front ends name
 * their flag or input, never advise changing it). Core messages state facts only; each front end
 * turns this into its own hint (a CLI flag, an Action input).
 */
export interface ErrorRemedy {
  option: string;
  action: 'set' | 'change' | 'expected';
  /** What setting the option does, e.g. `replace it`. */
  to?: string;
}

/** Base class of every error modelseal raises on purpose. `message` is one line saying what and where. */
export class ModelsealError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (file names, digests, status codes). Never secrets. */
  readonly details?: Record<string, unknown>;
  /** The option that gets past this error, when one does (see ErrorRemedy). */
  readonly remedy?: ErrorRemedy;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown>; remedy?: ErrorRemedy },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ModelsealError';
    this.code = code;
    this.details = options?.details;
    if (options?.remedy) this.remedy = options.remedy;
  }
  get kind(): ErrorKind {
    return IS_VERIFICATION.has(this.code) ? 'verification' : 'input';
  }
}

/** The model on disk does not match the signed manifest. */
export class ModelMismatchError extends ModelsealError {
  constructor(
    code: 'TAMPERED_FILE' | 'MISSING_FILE' | 'EXTRA_FILE',
    message: string,
    readonly diff: { changed: string[]; missing: string[]; extra: string[] },
    remedy?: ErrorRemedy,
  ) {
    super(code, message, { details: diff, ...(remedy ? { remedy } : {}) });
    this.name = 'ModelMismatchError';
  }
}

/**
 * A registry answered with an error or broke the protocol. `code` is REGISTRY_AUTH for 401/403,
 * NOT_FOUND for a missing manifest, else REGISTRY (or the code of what went wrong locally).
 */
export class RegistryError extends ModelsealError {
  /** The HTTP status the registry answered with; undefined when no answer came (network failure). */
  readonly status?: number;
  /** The OCI distribution error code from the response body (e.g. `BLOB_UPLOAD_UNKNOWN`), if any. */
  readonly registryCode?: string;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; registryCode?: string },
  ) {
    super(code, message, {
      cause: options?.cause,
      details: { status: options?.status, registryCode: options?.registryCode },
    });
    this.name = 'RegistryError';
    this.status = options?.status;
    this.registryCode = options?.registryCode;
  }
}

/** True for every error modelseal raises on purpose (a ModelsealError or one of its subclasses). */
export function isModelsealError(e: unknown): e is ModelsealError {
  return e instanceof ModelsealError;
}
