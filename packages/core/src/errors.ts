// Typed errors with stable codes. The CLI prints `code` and maps `kind` to an exit code:
// 'verification' -> 1 (the artifact is not what it claims), 'input' -> 2 (bad usage or unreadable input).

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
] as const;

const VERIFICATION_CODES = [
  'TAMPERED_FILE',
  'MISSING_FILE',
  'EXTRA_FILE',
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

export type ErrorCode = (typeof INPUT_CODES)[number] | (typeof VERIFICATION_CODES)[number];

/**
 * Every stable error code modelseal can raise, as `ErrorCodes.X === 'X'`. Add new codes to
 * INPUT_CODES (exit 2) or VERIFICATION_CODES (exit 1), never rename one.
 */
export const ErrorCodes = Object.fromEntries([...INPUT_CODES, ...VERIFICATION_CODES].map((c) => [c, c])) as {
  readonly [C in ErrorCode]: C;
};

const IS_VERIFICATION: ReadonlySet<string> = new Set(VERIFICATION_CODES);

/** Base class of every error modelseal raises on purpose. `message` is one line saying what and where. */
export class ModelsealError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (file names, digests, status codes). Never secrets. */
  readonly details?: Record<string, unknown>;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ModelsealError';
    this.code = code;
    this.details = options?.details;
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
  ) {
    super(code, message, { details: diff });
    this.name = 'ModelMismatchError';
  }
}

/** A signature, key, certificate or identity check failed. */
export class SignatureError extends ModelsealError {
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(code, message, options);
    this.name = 'SignatureError';
  }
}

/** A bundle or statement could not be parsed or has the wrong shape. */
export class BundleFormatError extends ModelsealError {
  constructor(
    message: string,
    options?: { cause?: unknown; code?: 'MALFORMED_BUNDLE' | 'UNSUPPORTED_MEDIA_TYPE' },
  ) {
    super(options?.code ?? 'MALFORMED_BUNDLE', message, options);
    this.name = 'BundleFormatError';
  }
}

/** A registry or OCI layout answered with an error or broke the protocol. */
export class RegistryError extends ModelsealError {
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
  }
}

export function isModelsealError(e: unknown): e is ModelsealError {
  return e instanceof ModelsealError;
}
