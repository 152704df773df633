/**
 * @module
 * `@modelseal/core/oms`: the OpenSSF Model Signing format — the in-toto statement and its
 * predicate, DSSE pre-authentication encoding, Sigstore bundle v0.3 writing and parsing, and
 * where a model's signature lives by default.
 */
export {
  buildStatement,
  parseStatement,
  manifestFiles,
  IN_TOTO_STATEMENT_TYPE,
  OMS_PREDICATE_TYPE,
  OMS_LEGACY_PREDICATE_TYPE,
  type SignedManifest,
} from './oms/statement.js';
export { compareManifest, type CompareOptions } from './oms/compare-manifest.js';
export { rootDigest } from './digest/root-digest.js';
export { preAuthEncoding, IN_TOTO_PAYLOAD_TYPE } from './oms/dsse.js';
export { dsseBundle, serializeBundle, BUNDLE_V03_MEDIA_TYPE } from './sign/dsse-bundle.js';
export { parseBundle, ACCEPTED_BUNDLE_MEDIA_TYPES } from './oms/parse-bundle.js';
export { defaultSignaturePath, DEFAULT_SIGNATURE_NAME } from './oms/signature-path.js';
