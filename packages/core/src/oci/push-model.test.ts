import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelsealError } from '../errors.js';
import { sha256Digest } from './digest.js';
import { MemoryTarget } from './memory-target.js';
import type { BlobSource, Descriptor } from './target.js';
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

  it('uploads each file as soon as its digest is known, while the files after it are still hashed', async () => {
    // 3 files of 33 MiB (over one 32 MiB slice, so hashing yields between reads), hashed in turn on one thread
    const big = join(tmp, 'big');
    mkdirSync(big);
    const MIB33 = 33 * 1024 * 1024;
    for (const n of [1, 2, 3]) writeFileSync(join(big, `shard-${n}.bin`), Buffer.alloc(MIB33, n));
    let hashed = 0;
    const seen: string[] = [];
    class Recording extends MemoryTarget {
      override push(desc: Descriptor, content: BlobSource): Promise<void> {
        seen.push(`${desc.digest} at ${hashed}`);
        return super.push(desc, content);
      }
    }
    const dst = new Recording();
    const r = await pushModel(big, dst, {
      tag: 'v1',
      jobs: 1,
      onHashProgress: (p) => (hashed = p.bytesDone),
    });
    expect(r.layers.map((l) => l.digest)).toEqual([1, 2, 3].map((n) => sha256Digest(Buffer.alloc(MIB33, n))));
    // the first blob went up while hashing went on (the last progress, all bytes, comes after the last digest)
    const layerPushes = seen.filter((l) => r.layers.some((layer) => l.startsWith(layer.digest)));
    expect(layerPushes).toHaveLength(3);
    const at = Number(layerPushes[0].split(' at ')[1]);
    expect(at).toBeLessThan(3 * MIB33);
    // each blob pushed once, with its own bytes; the manifest, then the tag, after them
    for (const [i, l] of r.layers.entries()) {
      expect(dst.log.filter((e) => e === `push ${l.digest}`)).toHaveLength(1);
      expect(dst.blobs.get(l.digest)!.bytes.equals(Buffer.alloc(MIB33, i + 1))).toBe(true);
    }
    expect(dst.log.slice(-2)).toEqual([`push ${r.digest}`, 'tag v1']);
    expect(r.skipped).toBe(0);
  }, 120_000);

  it('a failed early upload fails the push with its error and pushes no manifest', async () => {
    class Refusing extends MemoryTarget {
      override push(desc: Descriptor, content: BlobSource): Promise<void> {
        if (desc.digest === sha256Digest(Buffer.alloc(3000, 1)))
          return Promise.reject(new ModelsealError('REGISTRY', 'blob upload refused (HTTP 500)'));
        return super.push(desc, content);
      }
    }
    const dst = new Refusing();
    await expect(pushModel(model, dst, { tag: 'v1' })).rejects.toMatchObject({
      code: 'REGISTRY',
      message: 'blob upload refused (HTTP 500)',
    });
    expect(dst.tags.size).toBe(0);
    expect([...dst.blobs.values()].filter((b) => b.desc.mediaType.includes('manifest'))).toEqual([]);
  });
});
