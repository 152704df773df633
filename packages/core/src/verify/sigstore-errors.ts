// Maps sigstore-js verification failures (VerificationError / PolicyError `code`s) to modelseal's
// stable error codes, keeping sigstore-js's message as the reason.
import { ModelsealError, type ErrorCode } from '../errors.js';

interface CodedError {
  code?: unknown;
  message?: unknown;
  name?: unknown;
}

/** Turn anything `@sigstore/verify` throws into a ModelsealError. `source` names the bundle. */
export function fromSigstoreError(e: unknown, source: string): ModelsealError {
  if (e instanceof ModelsealError) return e;
  const { code, message } = (e ?? {}) as CodedError;
  const reason = typeof message === 'string' ? message : String(e);
  const fail = (c: ErrorCode, what: string) =>
    new ModelsealError(c, `${source}: ${what}: ${reason}`, { cause: e, details: { sigstoreCode: code } });
  switch (code) {
    case 'TLOG_ERROR':
      return /expected \d+ tlog entries/.test(reason)
        ? fail('TLOG_MISSING', 'transparency log entry missing')
        : fail('TLOG_INVALID', 'transparency log entry invalid');
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
    case 'TLOG_BODY_ERROR':
      return fail('TLOG_INVALID', 'transparency log entry invalid');
    case 'CERTIFICATE_ERROR':
      return /SCT/.test(reason)
        ? fail('SCT_INVALID', 'certificate transparency check failed')
        : fail('UNTRUSTED_CHAIN', 'certificate not trusted');
    case 'PUBLIC_KEY_ERROR':
      return fail('UNTRUSTED_CHAIN', 'signing key not trusted');
    case 'TIMESTAMP_ERROR':
      return fail('TIMESTAMP_INVALID', 'signing time not established');
    case 'SIGNATURE_ERROR':
      return fail('BAD_SIGNATURE', 'signature invalid');
    case 'UNTRUSTED_SIGNER_ERROR':
      return fail('IDENTITY_MISMATCH', 'signer not accepted');
    case 'NOT_IMPLEMENTED_ERROR':
      return new ModelsealError('MALFORMED_BUNDLE', `${source}: unsupported bundle content: ${reason}`, {
        cause: e,
      });
    default:
      return new ModelsealError('MALFORMED_BUNDLE', `${source}: bundle could not be verified: ${reason}`, {
        cause: e,
      });
  }
}
