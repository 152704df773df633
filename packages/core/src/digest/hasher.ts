// Streaming single-stream hashers for the OMS hash types (sha256, blake2b-512, blake3-256).
// Used by the hashing workers, the OCI code and anything else that digests bytes as they flow.
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '../types.js';
import { ModelsealError } from '../errors.js';
import { blake3Once, createBlake3Hasher } from './blake3.js';
import type { StreamHasher } from './stream-hasher.js';

/** The supported hash algorithms. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha256', 'blake2b', 'blake3'];

/** Digest length in bytes of each algorithm (blake2b is Python's `hashlib.blake2b()` default, 64 bytes). */
export const DIGEST_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, blake2b: 64, blake3: 32 };

/** True when `s` names a supported hash algorithm (sha256, blake2b, blake3). */
export function isHashAlgorithm(s: string): s is HashAlgorithm {
  return (HASH_ALGORITHMS as readonly string[]).includes(s);
}

/** Create a streaming hasher for `alg`. */
export function createHasher(alg: HashAlgorithm): StreamHasher {
  switch (alg) {
    case 'sha256':
    case 'blake2b': {
      const h = createHash(alg === 'sha256' ? 'sha256' : 'blake2b512');
      return { update: (b) => void h.update(b), digest: () => h.digest() };
    }
    case 'blake3':
      return createBlake3Hasher();
    default:
      throw new ModelsealError(
        'USAGE',
        `unsupported hash algorithm '${String(alg)}' (use sha256, blake2b or blake3)`,
      );
  }
}

/** `crypto.hash` (Node >= 20.12): one-shot digests without a Hash stream object per file. */
const oneShot = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;

/** Digest bytes that are all in memory at once (small files); same result as `createHasher`. */
export function digestOnce(alg: HashAlgorithm, bytes: Uint8Array): Buffer {
  if (alg === 'blake3') return blake3Once(bytes);
  if (oneShot) return oneShot(alg === 'sha256' ? 'sha256' : 'blake2b512', bytes, 'buffer');
  const h = createHasher(alg);
  h.update(bytes);
  return h.digest();
}
