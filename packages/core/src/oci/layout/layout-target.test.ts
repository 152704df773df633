import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copy } from '../copy.js';
import { MemoryTarget } from '../memory-target.js';
import { blobOf, putArtifact } from '../test-artifact.js';
import { LayoutTarget } from './layout-target.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-layout-unit-'));
let n = 0;
const freshLayout = (): LayoutTarget => new LayoutTarget(join(tmp, `l${n++}`));
const indexOf = (
  t: LayoutTarget,
): { manifests: { digest: string; annotations?: Record<string, string> }[] } =>
  JSON.parse(readFileSync(join(t.root, 'index.json'), 'utf8'));

describe('LayoutTarget', () => {
  it('lists a manifest copied by digest in index.json, untagged, so it can be resolved again', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'w.bin': 'weights' });
    const layout = freshLayout();
    await copy(src, a.manifest.digest, layout);
    expect(indexOf(layout).manifests).toEqual([
      { mediaType: a.manifest.mediaType, digest: a.manifest.digest, size: a.manifest.size },
    ]);
    expect((await new LayoutTarget(layout.root).resolve(a.manifest.digest)).digest).toBe(a.manifest.digest);
    // tagging replaces the untagged entry; a second tag adds one
    await layout.tag(a.manifest, 'v1');
    await layout.tag(a.manifest, 'v2');
    expect(
      indexOf(layout).manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']),
    ).toEqual(['v1', 'v2']);
  });

  it('reads blobs through fetch with their exact bytes', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'w.bin': 'weights' }, { tag: 'v1' });
    const layout = freshLayout();
    await copy(src, 'v1', layout);
    const chunks: Buffer[] = [];
    for await (const c of await layout.fetch(a.layers[0])) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('weights');
    expect(await layout.exists(a.layers[0])).toBe(true);
    expect(await layout.exists({ ...a.layers[0], size: 99 })).toBe(false);
  });

  it('refuses a FIFO or a device in place of a blob instead of blocking on it', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'w.bin': 'weights' }, { tag: 'v1' });
    const layout = freshLayout();
    await copy(src, 'v1', layout);
    const blob = join(layout.root, 'blobs/sha256', a.layers[0].digest.slice(7));
    rmSync(blob);
    execFileSync('mkfifo', [blob]);
    await expect(layout.fetch(a.layers[0])).rejects.toMatchObject({
      code: 'UNREADABLE',
      message: expect.stringContaining('is not a regular file'),
    });
    const manifest = join(layout.root, 'blobs/sha256', a.manifest.digest.slice(7));
    rmSync(manifest);
    execFileSync('ln', ['-s', '/dev/zero', manifest]);
    await expect(layout.fetch(a.manifest)).rejects.toMatchObject({ code: 'UNREADABLE' });
  });

  it('removes temporary blobs of dead processes on its first write, keeps live ones', async () => {
    const layout = freshLayout();
    const first = blobOf('first');
    await layout.push(first.desc, { kind: 'bytes', bytes: first.bytes });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    writeFileSync(join(layout.root, `.blob-${dead}-0123456789ab.tmp`), 'partial');
    writeFileSync(join(layout.root, `.index.json.${dead}-0123456789ab.tmp`), '{');
    writeFileSync(join(layout.root, `.blob-${process.ppid}-0123456789ab.tmp`), 'in progress');
    const again = new LayoutTarget(layout.root);
    const second = blobOf('second');
    await again.push(second.desc, { kind: 'bytes', bytes: second.bytes });
    expect(readdirSync(layout.root).sort()).toEqual(
      [`.blob-${process.ppid}-0123456789ab.tmp`, 'blobs', 'index.json', 'oci-layout'].sort(),
    );
  });

  it('a copy out of a layout whose blob was overwritten is refused by the destination layout: no blob, no manifest, no tag', async () => {
    const src = freshLayout();
    const mem = new MemoryTarget();
    const a = putArtifact(mem, { 'w.bin': 'weights' }, { tag: 'v1' });
    await copy(mem, 'v1', src);
    // same length, other bytes, under the old name
    writeFileSync(join(src.root, 'blobs/sha256', a.layers[0].digest.slice(7)), 'WEIGHTS');
    const dst = freshLayout();
    await expect(copy(new LayoutTarget(src.root), 'v1', dst)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `refusing blob for oci:${dst.root}: content hashes to sha256:${createHash('sha256').update('WEIGHTS').digest('hex')} (7 bytes), expected ${a.layers[0].digest} (7 bytes)`,
    });
    expect(await dst.exists(a.layers[0])).toBe(false);
    expect(await dst.exists(a.manifest)).toBe(false);
    expect(readdirSync(join(dst.root, 'blobs/sha256')).includes(a.layers[0].digest.slice(7))).toBe(false);
    expect(readdirSync(dst.root).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(indexOf(dst).manifests).toEqual([]);
  });

  it('refuses a blob whose bytes do not match, leaving no temporary file', async () => {
    const layout = freshLayout();
    const b = blobOf('honest');
    await expect(layout.push(b.desc, { kind: 'bytes', bytes: Buffer.from('HONEST') })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(readdirSync(layout.root).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(await layout.exists(b.desc)).toBe(false);
  });
});
