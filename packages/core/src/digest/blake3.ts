// BLAKE3 for the hashers: the native Rust implementation (`@napi-rs/blake-hash`, prebuilt per
// platform as npm optional packages, SIMD, ~3 GB/s per core) and, only where no prebuilt binary
// loads, the pure-JavaScript `@noble/hashes` one (~45 MB/s). Both give the same digests.
import { lazyModule } from '../lazy-module.js';
import type { StreamHasher } from './stream-hasher.js';

/** Which BLAKE3 implementation hashes: `native` (Rust, SIMD) or `js` (pure JavaScript fallback). */
export type Blake3Implementation = 'native' | 'js';

type NativeModule = typeof import('@napi-rs/blake-hash');

const nativeModule = lazyModule<NativeModule>('@napi-rs/blake-hash');
const loadNoble = lazyModule<typeof import('@noble/hashes/blake3')>('@noble/hashes/blake3');
let native: NativeModule | null | undefined;

/** The native module, or null when no prebuilt binary loads here (tried once per thread). */
function loadNative(): NativeModule | null {
  if (native === undefined) {
    try {
      native = nativeModule();
    } catch {
      native = null;
    }
  }
  return native;
}

/** The implementation `createBlake3Hasher()` uses on this platform (loads it on first call). */
export function blake3Implementation(): Blake3Implementation {
  return loadNative() ? 'native' : 'js';
}

/**
 * A streaming BLAKE3-256 hasher. `impl` forces one implementation (tests compare both);
 * by default the native one when it loads, else the JavaScript one.
 */
export function createBlake3Hasher(impl: Blake3Implementation = blake3Implementation()): StreamHasher {
  if (impl === 'native') {
    const mod = loadNative();
    if (!mod) throw new Error('the native BLAKE3 module does not load on this platform');
    const h = new mod.Blake3Hasher();
    return { update: (b) => void h.update(b), digest: () => h.digestBuffer() };
  }
  const h = loadNoble().blake3.create({});
  return {
    update: (b) => void h.update(b),
    digest: () => {
      const d = h.digest();
      return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    },
  };
}

/** BLAKE3-256 of bytes all in memory at once. */
export function blake3Once(bytes: Uint8Array): Buffer {
  const mod = loadNative();
  if (mod) return mod.blake3(bytes);
  const d = loadNoble().blake3(bytes);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}
