// scan over an opened Target (the in-memory one): what is fetched, and what a store serving other
// bytes than the manifest promises does to the verdict (the 64 MiB prefix case is in test/scan-ref.test.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTarget } from '../oci/memory-target.js';
import { pushModel } from '../oci/push-model.js';
import { scan } from './scan-model.js';

let tmp: string;
let target: MemoryTarget;
const digests: Record<string, string> = {};
// protocol 2: PROTO 2, GLOBAL 'posix system', SHORT_BINUNICODE 'id', TUPLE1, REDUCE, STOP
const HOSTILE = Buffer.from('\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1');

function safetensors(): Buffer {
  const json = Buffer.from(JSON.stringify({ w: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.from([1, 2, 3, 4])]);
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'modelseal-scan-target-'));
  const model = join(tmp, 'model');
  mkdirSync(model);
  writeFileSync(join(model, 'model.safetensors'), safetensors());
  writeFileSync(join(model, 'optimizer.pt'), HOSTILE);
  target = new MemoryTarget();
  const pushed = await pushModel(model, target, { tag: 'v1' });
  for (const l of pushed.layers) digests[l.path] = l.digest;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scan(Target)', () => {
  it('scans the tag given as options.reference; the pickle is flagged at its offset and verified', async () => {
    const r = await scan(target, { reference: 'v1' });
    expect(r.source).toBe('memory:test:v1');
    expect(r.files.map((f) => [f.path, f.format, f.verdict, f.verified])).toEqual([
      ['model.safetensors', 'safetensors', 'clean', true],
      ['optimizer.pt', 'pickle', 'flagged', true],
    ]);
    expect(r.findings.map((f) => f.message)).toEqual([
      'optimizer.pt at byte 2: pickle imports posix.system (GLOBAL, runs code)',
    ]);
  });

  it('a store serving other bytes for a pickle-named layer: DIGEST_MISMATCH, even if they look harmless', async () => {
    const blob = target.blobs.get(digests['optimizer.pt'])!;
    const original = blob.bytes;
    blob.bytes = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(original.length - 4)]);
    try {
      await expect(scan(target, { reference: 'v1' })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    } finally {
      blob.bytes = original;
    }
  });

  it('a small layer arrives whole, so even a prefix check waits for its digest: swapped bytes fail', async () => {
    const blob = target.blobs.get(digests['model.safetensors'])!;
    const original = blob.bytes;
    const swapped = Buffer.from(original);
    swapped[swapped.length - 1] ^= 0xff; // same header, different tensor bytes
    blob.bytes = swapped;
    try {
      await expect(scan(target, { reference: 'v1' })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    } finally {
      blob.bytes = original;
    }
  });
});
