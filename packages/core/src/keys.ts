/**
 * @module
 * `@modelseal/core/keys`: loading private and public keys (PEM, cosign encrypted keys) and
 * certificates, generating key pairs, and the signing algorithm a key implies.
 */
export { loadPrivateKey, loadPrivateKeyFile, type LoadPrivateKeyOptions } from './keys/load-private-key.js';
export {
  loadPublicKey,
  loadPublicKeyFile,
  publicKeyHint,
  publicKeyPem,
  sigstoreKeyHint,
} from './keys/load-public-key.js';
export {
  generateKeyPair,
  newKeyPair,
  KEY_ALGORITHMS,
  type GenerateKeyPairOptions,
  type GeneratedKeyPair,
  type KeyAlgorithm,
} from './keys/generate-key-pair.js';
export { encryptCosignKey, decryptCosignKey } from './keys/cosign-key.js';
export { loadCertificates, loadCertificateFiles, hasSigningUsage } from './keys/certificates.js';
export { signingAlgorithm, type SigningAlgorithm } from './keys/signing-algorithm.js';
