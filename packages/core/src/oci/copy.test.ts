import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.js';
import { MemoryTarget } from './memory-target.js';
import type { Descriptor, Mounter, ReadOnlyTarget } from './target.js';
import { blobOf, putArtifact } from './test-artifact.js';

describe('copy', () => {
  it('copies blobs, then the manifest, then the tag; blobs the destination has are not fetched', async () => {
    const src = new MemoryTarget('memory:src');
    const a = putArtifact(src, { 'a.bin': 'alpha', 'b.bin': 'bravo!' }, { tag: 'v1' });
    const dst = new MemoryTarget('memory:dst');
    dst.blobs.set(a.layers[0].digest, src.blobs.get(a.layers[0].digest)!);
    const progress: number[] = [];
    const r = await copy(src, 'v1', dst, undefined, { onProgress: (p) => progress.push(p.bytesDone) });
    expect(r).toMatchObject({
      descriptor: { digest: a.manifest.digest },
      blobsCopied: 2,
      blobsSkipped: 1,
      blobsMounted: 0,
      bytesCopied: 6 + 2,
    });
    expect(src.log.filter((l) => l.startsWith('fetch'))).not.toContain(`fetch ${a.layers[0].digest}`);
    expect(dst.log.at(-2)).toBe(`push ${a.manifest.digest}`);
    expect(dst.log.at(-1)).toBe('tag v1');
    expect(dst.blobs.get(a.manifest.digest)!.bytes.equals(a.bytes)).toBe(true);
    expect(progress.at(-1)).toBe(11); // layer bytes only: 5 + 6
  });

  it('copies referrers recursively unless told not to', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'w.bin': 'weights' }, { tag: 'v1' });
    const sig = putArtifact(src, { 'sig.json': '{"sig":1}' }, { subject: a.manifest });
    const sigOfSig = putArtifact(src, { 'sig2.json': '{"sig":2}' }, { subject: sig.manifest });
    const dst = new MemoryTarget();
    const r = await copy(src, 'v1', dst, 'copied');
    expect(r.referrers.map((d) => d.digest)).toEqual([sig.manifest.digest, sigOfSig.manifest.digest]);
    expect(dst.tags.get('copied')?.digest).toBe(a.manifest.digest);
    const bare = new MemoryTarget();
    await copy(src, a.manifest.digest, bare, undefined, { referrers: false });
    expect(bare.blobs.has(sig.manifest.digest)).toBe(false);
    expect(bare.tags.size).toBe(0); // a digest source and no destination tag: untagged
  });

  it('fails closed on a blob whose bytes are not its digest: no manifest lands', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'w.bin': 'weights' }, { tag: 'v1' });
    src.blobs.set(a.layers[0].digest, { desc: a.layers[0], bytes: Buffer.from('WEIGHTS') });
    const dst = new MemoryTarget();
    await expect(copy(src, 'v1', dst)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(dst.blobs.has(a.manifest.digest)).toBe(false);
    expect(dst.tags.size).toBe(0);
  });

  it('stops when its signal aborts, mid-blob, without pushing the manifest', async () => {
    const src = new MemoryTarget();
    const big = Buffer.alloc(4 << 20, 7);
    const a = putArtifact(src, { 'big.bin': big }, { tag: 'v1' });
    const stalled = new PassThrough();
    stalled.write(big.subarray(0, 1 << 20)); // one MiB, then nothing more
    const slow: ReadOnlyTarget = {
      location: src.location,
      resolve: (r) => src.resolve(r),
      exists: (d) => src.exists(d),
      referrers: (s) => src.referrers(s),
      fetch: (d): Promise<Readable> =>
        d.digest === a.layers[0].digest ? Promise.resolve(stalled) : src.fetch(d),
    };
    const ac = new AbortController();
    const dst = new MemoryTarget();
    const done = copy(slow, 'v1', dst, undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(dst.blobs.has(a.layers[0].digest)).toBe(false);
    expect(dst.blobs.has(a.manifest.digest)).toBe(false);
    expect(stalled.destroyed).toBe(true);
  });

  it('asks a Mounter destination to mount before copying bytes', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'x.bin': 'x-ray', 'y.bin': 'yankee' }, { tag: 'v1' });
    class MountingTarget extends MemoryTarget implements Mounter {
      mounted: string[] = [];
      mount(desc: Descriptor, from: ReadOnlyTarget): Promise<boolean> {
        if (from !== src || desc.digest !== a.layers[1].digest) return Promise.resolve(false);
        this.mounted.push(desc.digest);
        this.blobs.set(desc.digest, src.blobs.get(desc.digest)!);
        return Promise.resolve(true);
      }
    }
    const dst = new MountingTarget();
    const r = await copy(src, 'v1', dst);
    expect(dst.mounted).toEqual([a.layers[1].digest]);
    expect(r).toMatchObject({ blobsMounted: 1, blobsCopied: 2 });
    expect(src.log).not.toContain(`fetch ${a.layers[1].digest}`);
  });

  it('copies an index and its child manifests', async () => {
    const src = new MemoryTarget();
    const one = putArtifact(src, { 'one.bin': '1' });
    const two = putArtifact(src, { 'two.bin': '22' });
    const index = blobOf(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [one.manifest, two.manifest],
      }),
      'application/vnd.oci.image.index.v1+json',
    );
    src.blobs.set(index.desc.digest, index);
    src.tags.set('multi', index.desc);
    const dst = new MemoryTarget();
    await copy(src, 'multi', dst);
    for (const d of [index.desc, one.manifest, two.manifest, ...one.layers, ...two.layers])
      expect(dst.blobs.has(d.digest)).toBe(true);
    expect(dst.tags.get('multi')?.digest).toBe(index.desc.digest);
  });
});
