// Loads a verification key from PEM text (SPKI `PUBLIC KEY`, tolerating text preambles) and computes
// the key hints: OMS (lowercase hex SHA-256 of the SPKI PEM text) and Sigstore's (base64 SHA-256 of
// the SPKI DER, written by cosign v3 and sigstore-go).
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { readInputFile } from '../read-input-file.js';
import { pemBlocks } from './pem.js';
import { signingAlgorithm } from './signing-algorithm.js';

/** Parses a public key and checks it is EC P-256/384/521 or Ed25519. */
export function loadPublicKey(pem: string | Buffer, source = 'public key'): KeyObject {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const block = pemBlocks(text).find((b) => b.label === 'PUBLIC KEY');
  if (!block)
    throw new ModelsealError('UNSUPPORTED_KEY', `${source}: no PEM public key (BEGIN PUBLIC KEY) found`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  } catch (e) {
    throw new ModelsealError('UNSUPPORTED_KEY', `${source}: not a readable public key`, { cause: e });
  }
  signingAlgorithm(key, source);
  return key;
}

/** Reads and parses a public key file. */
export async function loadPublicKeyFile(path: string): Promise<KeyObject> {
  return loadPublicKey(await readInputFile(path), path);
}

/** The SPKI PEM text of a public (or private) key, 64-column base64 with a trailing newline. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** OMS / model_signing key hint: hex SHA-256 of the SPKI PEM text. */
export function publicKeyHint(key: KeyObject): string {
  return createHash('sha256').update(publicKeyPem(key), 'utf8').digest('hex');
}

/**
 * The Sigstore key hint that cosign v3 and sigstore-go write: standard base64 of SHA-256 over the
 * key's SPKI DER.
 */
export function sigstoreKeyHint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}
