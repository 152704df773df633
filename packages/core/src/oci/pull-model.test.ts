import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rootDigest } from '../digest/root-digest.js';
import { MemoryTarget } from './memory-target.js';
import { pullModel } from './pull-model.js';
import type { ReadOnlyTarget } from './target.js';
import { putArtifact } from './test-artifact.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-pull-unit-'));
let n = 0;
/** A fresh parent directory; DEST is `<parent>/dest`. */
function fresh(): { parent: string; dest: string } {
  const parent = join(tmp, `p${n++}`);
  mkdirSync(parent);
  return { parent, dest: join(parent, 'dest') };
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('pullModel from a Target', () => {
  it('writes each layer to its path, same-content files both, never fetching the config', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(
      src,
      { 'w.bin': 'weights', 'dir/x.json': '{"x":1}', 'dir/y.json': '{"x":1}' },
      { tag: 'v1' },
    );
    const { parent, dest } = fresh();
    const r = await pullModel(src, dest, { reference: 'v1' });
    expect(r.files.map((f) => f.path)).toEqual(['dir/x.json', 'dir/y.json', 'w.bin']);
    expect(readFileSync(join(dest, 'w.bin'), 'utf8')).toBe('weights');
    expect(readFileSync(join(dest, 'dir/y.json'), 'utf8')).toBe('{"x":1}');
    expect(r.omsRoot).toBe(
      rootDigest(r.files.map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.digest.slice(7) }))),
    );
    expect(src.log).not.toContain(`fetch ${a.config.digest}`);
    expect(src.log.filter((l) => l === `fetch ${a.layers[1].digest}`)).toHaveLength(1);
    expect(readdirSync(parent)).toEqual(['dest']);
  });

  it('refuses an unsafe path before downloading anything, leaving no DEST and no staging', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'ok.bin': 'fine', '../evil': 'boom' }, { tag: 'v1' });
    const { parent, dest } = fresh();
    await expect(pullModel(src, dest, { reference: 'v1' })).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(src.log.filter((l) => a.layers.some((d) => l === `fetch ${d.digest}`))).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a layer that does not match its digest leaves DEST absent and removes staging', async () => {
    const src = new MemoryTarget();
    const a = putArtifact(src, { 'a.bin': 'aaaa', 'b.bin': 'bbbb' }, { tag: 'v1' });
    src.blobs.set(a.layers[1].digest, { desc: a.layers[1], bytes: Buffer.from('BBBB') });
    const { parent, dest } = fresh();
    await expect(pullModel(src, dest, { reference: 'v1' })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining(
        `memory:test:v1 layer ${a.layers[1].digest} (b.bin): content hashes to`,
      ),
    });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('beforeCommit sees the staged files; when it throws, DEST never appears', async () => {
    const src = new MemoryTarget();
    putArtifact(src, { 'a.bin': 'aaaa' }, { tag: 'v1' });
    const { parent, dest } = fresh();
    let seen = '';
    await expect(
      pullModel(src, dest, {
        reference: 'v1',
        beforeCommit: (staged) => {
          seen = readFileSync(join(staged.dir, 'a.bin'), 'utf8');
          return Promise.reject(new Error('policy says no'));
        },
      }),
    ).rejects.toThrow('policy says no');
    expect(seen).toBe('aaaa');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('removes staging left by dead processes, keeps that of live ones', async () => {
    const src = new MemoryTarget();
    putArtifact(src, { 'a.bin': 'aaaa' }, { tag: 'v1' });
    const { parent, dest } = fresh();
    const dead = `.dest.modelseal-staging-${deadPid()}-0123456789ab`;
    const live = `.dest.modelseal-staging-${process.ppid}-0123456789ab`;
    mkdirSync(join(parent, dead, 'model'), { recursive: true });
    mkdirSync(join(parent, live));
    await pullModel(src, dest, { reference: 'v1' });
    expect(readdirSync(parent).sort()).toEqual([live, 'dest'].sort());
  });

  it('an abort mid-layer removes staging and leaves DEST as it was', async () => {
    const src = new MemoryTarget();
    const big = Buffer.alloc(8 << 20, 3);
    const a = putArtifact(src, { 'big.bin': big, 'small.bin': 'tiny' }, { tag: 'v1' });
    const stalled = new PassThrough();
    stalled.write(big.subarray(0, 2 << 20));
    const slow: ReadOnlyTarget = {
      location: src.location,
      resolve: (r) => src.resolve(r),
      exists: (d) => src.exists(d),
      referrers: (s) => src.referrers(s),
      fetch: (d): Promise<Readable> =>
        d.digest === a.layers[0].digest ? Promise.resolve(stalled) : src.fetch(d),
    };
    const { parent, dest } = fresh();
    const ac = new AbortController();
    const pulling = pullModel(slow, dest, { reference: 'v1', signal: ac.signal });
    // wait until the partial layer is on disk in staging, then abort
    for (let i = 0; i < 200 && !readdirSync(parent).some((e) => e.includes('staging')); i++)
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await expect(pulling).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(dest)).toBe(false);
  });
});
