/**
 * @module
 * `@modelseal/core/sigstore`: Sigstore building blocks behind keylessSigner and keylessVerifier —
 * signing configs and instances, OIDC identity-token sources, trusted roots, identity policies and
 * the Fulcio certificate extensions.
 */
export { keylessSigner, type KeylessSignerOptions } from './sign/keyless.js';
export { keylessVerifier, type KeylessVerifierOptions } from './verify/sigstore-verifier.js';
export {
  servicesFromSigningConfig,
  loadSigningConfig,
  PUBLIC_GOOD_SERVICES,
  STAGING_SERVICES,
  type SigstoreServices,
} from './sign/keyless-services.js';
export {
  resolveIdentityToken,
  pickTokenSource,
  MISSING_TOKEN_HELP,
  type TokenSourceOptions,
  type ResolvedToken,
  type TokenSourceName,
} from './sign/identity/token-sources.js';
export {
  loadTrustedRoot,
  publicGoodTrustedRoot,
  parseTrustedRoot,
  type TrustedRootSource,
} from './verify/trust-root.js';
export {
  identityPolicy,
  anchoredRegExp,
  type IdentityPolicyOptions,
  type GithubClaims,
} from './verify/identity-policy.js';
export {
  readFulcioIdentity,
  FulcioExtensionOids,
  type FulcioIdentity,
  type FulcioExtensionName,
} from './verify/fulcio-extensions.js';
