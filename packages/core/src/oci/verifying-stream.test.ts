import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256Digest } from './digest.js';
import { verifyingStream, VerifyingTap } from './verifying-stream.js';

const bytes = Buffer.from('hello model weights');
const desc = {
  mediaType: 'application/octet-stream',
  digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  size: bytes.length,
};

async function drain(s: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('verifyingStream', () => {
  it('passes matching bytes through unchanged', async () => {
    expect(
      (await drain(verifyingStream(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), desc))).equals(
        bytes,
      ),
    ).toBe(true);
    expect(sha256Digest(bytes)).toBe(desc.digest);
  });
  it('fails with DIGEST_MISMATCH on changed, short or long content', async () => {
    const changed = Buffer.from(bytes);
    changed[0] = 0x48;
    await expect(drain(verifyingStream(Readable.from([changed]), desc))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${desc.digest} does not match its descriptor: content hashes to ${sha256Digest(changed)}`,
    });
    await expect(drain(verifyingStream(Readable.from([bytes.subarray(1)]), desc))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${desc.digest} does not match its descriptor: ${bytes.length - 1} bytes instead of ${bytes.length}`,
    });
    await expect(
      drain(verifyingStream(Readable.from([bytes, Buffer.from('!')]), desc)),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${desc.digest} does not match its descriptor: more than the expected ${bytes.length} bytes`,
      details: { expected: desc.digest, size: bytes.length },
    });
    await expect(drain(verifyingStream(Readable.from([changed]), desc, 'config of m'))).rejects.toMatchObject(
      {
        message: `config of m ${desc.digest} does not match its descriptor: content hashes to ${sha256Digest(changed)}`,
      },
    );
  });
  it('holds the last chunk back until the digest is checked: a consumer never gets all of a bad blob', async () => {
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] ^= 1;
    const received: Buffer[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        received.push(c);
        cb();
      },
    });
    const s = verifyingStream(
      Readable.from([changed.subarray(0, 6), changed.subarray(6, 12), changed.subarray(12)]),
      desc,
    );
    await expect(pipeline(s, sink)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    const got = Buffer.concat(received);
    expect(got.length).toBeLessThanOrEqual(12);
    expect(got.equals(changed.subarray(0, got.length))).toBe(true);
  });

  it('passes a source error on', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk gone'));
      },
    });
    await expect(drain(verifyingStream(failing, desc))).rejects.toThrow('disk gone');
  });
  it('refuses non-sha256 digests', () => {
    expect(() => verifyingStream(Readable.from([bytes]), { ...desc, digest: 'md5:abc' })).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'unsupported or malformed digest "md5:abc" (only sha256 is supported)',
      }),
    );
  });
});

describe('VerifyingTap', () => {
  it('counts progress, and words mismatches with its location and both sides', async () => {
    const seen: number[] = [];
    const tap = new VerifyingTap(desc, 'oci:x layer', (n) => seen.push(n));
    expect(
      (await drain(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]).pipe(tap))).equals(bytes),
    ).toBe(true);
    expect(seen).toEqual([5, bytes.length - 5]);
    const changed = Buffer.from(bytes);
    changed[0] = 0x48;
    await expect(
      pipeline(
        Readable.from([changed]),
        new VerifyingTap(desc, 'oci:x layer'),
        new Writable({ write: (_c, _e, cb) => cb() }),
      ),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `oci:x layer: content hashes to ${sha256Digest(changed)} (${bytes.length} bytes), expected ${desc.digest} (${bytes.length} bytes)`,
    });
    await expect(
      pipeline(
        Readable.from([bytes, Buffer.from('!')]),
        new VerifyingTap(desc, 'oci:x layer'),
        new Writable({ write: (_c, _e, cb) => cb() }),
      ),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `oci:x layer: more than the ${bytes.length} bytes its descriptor declares (${desc.digest})`,
    });
  });
});
