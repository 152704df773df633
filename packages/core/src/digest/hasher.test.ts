import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIGEST_LENGTH, createHasher } from './hasher.js';
import { ModelsealError } from '../errors.js';

const MODEL = Buffer.from('This is a simple model');

function digestHex(alg: 'sha256' | 'blake2b' | 'blake3', data: Uint8Array, chunk = data.length || 1): string {
  const h = createHasher(alg);
  for (let i = 0; i < data.length; i += chunk) h.update(data.subarray(i, i + chunk));
  return h.digest().toString('hex');
}

describe('createHasher', () => {
  it('sha256 of the OMS known model text', () => {
    expect(digestHex('sha256', MODEL)).toBe(
      '3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b',
    );
  });

  it('blake2b is the 64-byte hashlib.blake2b() digest (value from python3 hashlib)', () => {
    const d = digestHex('blake2b', MODEL);
    expect(d).toBe(
      '20e68afc59075f50f66f399d2cc590f2a93f58349dd6626c0f93bfa19d142b17' +
        '41029b102cbc7ec0b36ad8dc771d66e904ca9a874c76fcc242fee0bea557463f',
    );
    expect(d.length / 2).toBe(DIGEST_LENGTH.blake2b);
  });

  it('blake2b matches openssl dgst -blake2b512 on random bytes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ms-hasher-'));
    try {
      const data = randomBytes(300_000);
      const f = path.join(dir, 'x');
      writeFileSync(f, data);
      const out = execFileSync('openssl', ['dgst', '-blake2b512', '-r', f], { encoding: 'utf8' });
      expect(digestHex('blake2b', data, 4096)).toBe(out.split(' ')[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('blake3 gives the published BLAKE3 test vectors (32 bytes)', () => {
    expect(digestHex('blake3', new Uint8Array(0))).toBe(
      'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
    expect(digestHex('blake3', Buffer.from('abc'))).toBe(
      '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
    );
    expect(digestHex('blake3', Buffer.from('IETF'))).toBe(
      '83a2de1ee6f4e6ab686889248f4ec0cf4cc5709446a682ffd1cbb4d6165181e2',
    );
  });

  it.each(['sha256', 'blake2b', 'blake3'] as const)('%s: streaming in odd chunks equals one shot', (alg) => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    expect(digestHex(alg, data, 65_537)).toBe(digestHex(alg, data));
    if (alg === 'sha256')
      expect(digestHex(alg, data, 1000)).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('rejects an unknown algorithm with USAGE', () => {
    expect(() => createHasher('md5' as never)).toThrow(ModelsealError);
    expect(() => createHasher('md5' as never)).toThrow(/unsupported hash algorithm 'md5'/);
  });
});
