// The OMS root digest (SHA-256 over the concatenated raw resource digests) and the UTF-8 byte
// order that resources are signed in.
import { createHash } from 'node:crypto';
import type { Resource } from '../types.js';
import { ModelsealError } from '../errors.js';

/** Hex SHA-256 over the raw bytes of every resource digest, concatenated in the given order. */
export function rootDigest(resources: Resource[]): string {
  const h = createHash('sha256');
  for (const r of resources) {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(r.digest)) {
      throw new ModelsealError(
        'MANIFEST_INCONSISTENT',
        `resource '${r.name}' has a digest that is not hex: '${r.digest}'`,
      );
    }
    h.update(Buffer.from(r.digest, 'hex'));
  }
  return h.digest('hex');
}

function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
}

/**
 * Compare two strings by the bytes of their UTF-8 encodings (= Unicode code point order).
 * JS `<` compares UTF-16 code units, which puts U+E000..U+FFFF after astral characters.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = isSurrogate(x);
    const ys = isSurrogate(y);
    // A surrogate starts a code point >= U+10000, above every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
