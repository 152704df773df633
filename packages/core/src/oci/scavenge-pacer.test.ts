import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { VerifyingTap } from './verifying-stream.js';

const PIECE = 64 * 1024;
const PIECES = 2048; // 128 MiB

/** Fresh buffers, one per read, the way a socket or an fs stream delivers them. */
function freshPieces(): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === PIECES) return this.push(null);
      const piece = Buffer.allocUnsafeSlow(PIECE).fill(i++ & 0xff);
      this.push(piece);
    },
  });
}

function expectedDigest(): string {
  const h = createHash('sha256');
  const piece = Buffer.alloc(PIECE);
  for (let i = 0; i < PIECES; i++) h.update(piece.fill(i & 0xff));
  return `sha256:${h.digest('hex')}`;
}

describe('scavenge pacing in the digest check', () => {
  it('128 MiB of fresh 64 KiB buffers through a VerifyingTap leave at most 16 MiB of ArrayBuffers', async () => {
    // Without pacing V8 lets young ArrayBuffers reach 32 MiB (twice its 16 MiB semi-space) before
    // it scavenges: this loop peaked at 31-34 MiB; paced every 4 MiB it stays at 6-8 MiB.
    const tap = new VerifyingTap({ digest: expectedDigest(), size: PIECE * PIECES }, 'test blob');
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let seen = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        setImmediate(cb);
      },
    });
    await pipeline(freshPieces(), tap, sink);
    expect(seen).toBe(PIECE * PIECES);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});
