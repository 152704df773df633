// Which signature scheme a key uses: ECDSA with the curve's hash (P-256/384/521) or Ed25519.
// Anything else (RSA, secp256k1, ...) is refused with UNSUPPORTED_KEY.
import type { KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';

/** The signature scheme a key implies (curve and hash, Ed25519 or RSA). */
export type SigningAlgorithm =
  | { kind: 'ecdsa'; curve: 'P-256' | 'P-384' | 'P-521'; hash: 'sha256' | 'sha384' | 'sha512' }
  | { kind: 'ed25519'; hash: null };

const CURVES: Record<string, SigningAlgorithm> = {
  prime256v1: { kind: 'ecdsa', curve: 'P-256', hash: 'sha256' },
  secp384r1: { kind: 'ecdsa', curve: 'P-384', hash: 'sha384' },
  secp521r1: { kind: 'ecdsa', curve: 'P-521', hash: 'sha512' },
};

/** The algorithm for a public or private key; throws UNSUPPORTED_KEY for other key types. */
export function signingAlgorithm(key: KeyObject, source = 'key'): SigningAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return { kind: 'ed25519', hash: null };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const alg = CURVES[curve];
    if (alg) return alg;
    throw new ModelsealError(
      'UNSUPPORTED_KEY',
      `${source}: elliptic curve ${curve} is not supported (use P-256, P-384, P-521 or Ed25519)`,
    );
  }
  throw new ModelsealError(
    'UNSUPPORTED_KEY',
    `${source}: ${String(type).toUpperCase()} keys are not supported (use EC P-256, P-384, P-521 or Ed25519)`,
  );
}
