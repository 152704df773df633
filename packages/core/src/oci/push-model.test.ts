import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { MemoryTarget } from './memory-target.js';
import { pushModel } from './push-model.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-push-unit-'));
const model = join(tmp, 'model');
mkdirSync(join(model, 'sub'), { recursive: true });
writeFileSync(join(model, 'weights.safetensors'), Buffer.alloc(3000, 1));
writeFileSync(join(model, 'config.json'), '{"layers":2}');
writeFileSync(join(model, 'sub', 'copy.json'), '{"layers":2}');

describe('pushModel into a Target', () => {
  it('copies the packed directory: every file a layer with its own bytes, manifest last, then the tag', async () => {
    const dst = new MemoryTarget();
    const r = await pushModel(model, dst, { tag: 'v1' });
    expect(r.layers.map((l) => l.path)).toEqual(['config.json', 'sub/copy.json', 'weights.safetensors']);
    expect(r.layers[2].digest).toBe(sha256Digest(Buffer.alloc(3000, 1)));
    expect(dst.blobs.get(r.layers[2].digest)!.bytes.equals(Buffer.alloc(3000, 1))).toBe(true);
    expect(dst.blobs.get(r.digest)!.bytes.equals(r.manifestBytes)).toBe(true);
    expect(dst.log.slice(-2)).toEqual([`push ${r.digest}`, 'tag v1']);
    // identical files are one blob, pushed once
    expect(dst.log.filter((l) => l === `push ${r.layers[0].digest}`)).toHaveLength(1);
    expect(r.skipped).toBe(0);
    expect(r.reference).toBe(`memory:test@${r.digest}`);
  });

  it('counts the layers the target already had as skipped and does not read them', async () => {
    const dst = new MemoryTarget();
    const first = await pushModel(model, dst);
    expect(dst.tags.size).toBe(0); // an open Target gets no tag unless one is given
    const again = await pushModel(model, dst, { tag: 'v2' });
    expect(again.digest).toBe(first.digest);
    expect(again.skipped).toBe(2);
    expect(dst.log.filter((l) => l.startsWith('push sha256:')).length).toBe(2 + 1 + 1 + 1); // 2 layers + config + manifest, then the manifest again
  });

  it('an aborted signal stops it before anything is pushed', async () => {
    const dst = new MemoryTarget();
    const ac = new AbortController();
    ac.abort();
    await expect(pushModel(model, dst, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(dst.log).toEqual([]);
  });
});
