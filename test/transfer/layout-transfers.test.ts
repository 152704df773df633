// Issue 14 #6, #9, #10 and #17 through the CLI over OCI layouts: a FIFO in place of a blob is refused
// instead of hanging pull; a manifest over the 4 MiB limit is found before any blob is written;
// temporary blobs of dead processes are removed by the next push; a copy by digest is listed in the
// destination's index.json so it can be found again.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt } from '../hardening/cli-process.js';
import { makeModel, readTree } from '../oci/model-fixture.js';

const box = cliSandbox('ms-layout-transfers-');
const model = path.join(box.dir, 'model');
let digest = '';

beforeAll(() => {
  ensureBuilt();
  makeModel(model);
  const r = box.run(['push', model, 'oci:src:v1']);
  expect(r.code).toBe(0);
  digest = r.stdout.trim().split('@')[1];
});
afterAll(() => box.cleanup());

const indexOf = (layout: string): { manifests: { digest: string; annotations?: Record<string, string> }[] } =>
  JSON.parse(readFileSync(path.join(box.dir, layout, 'index.json'), 'utf8'));

describe('layout transfers', () => {
  it('copy by digest lists the untagged manifest in index.json; it can be pulled and tagged later', () => {
    const r = box.run(['copy', `oci:src@${digest}`, 'oci:dst']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`oci:dst@${digest}\n`);
    expect(indexOf('dst').manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest,
        size: expect.any(Number),
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
      },
    ]);
    const p = box.run(['pull', `oci:dst@${digest}`, 'from-dst']);
    expect(p.code).toBe(0);
    expect(readTree(path.join(box.dir, 'from-dst'))).toEqual(readTree(model));
    // tagging later replaces the untagged entry
    expect(box.run(['copy', `oci:src@${digest}`, 'oci:dst:v9']).code).toBe(0);
    expect(indexOf('dst').manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual(
      ['v9'],
    );
  });

  it('a FIFO in place of a blob is refused, not waited on', () => {
    execFileSync('cp', ['-r', path.join(box.dir, 'src'), path.join(box.dir, 'fifo')]);
    const layer = JSON.parse(
      readFileSync(path.join(box.dir, 'fifo/blobs/sha256', digest.slice(7)), 'utf8'),
    ).layers.find(
      (l: { annotations: Record<string, string> }) =>
        l.annotations['org.cncf.model.filepath'] === 'model.safetensors',
    );
    const blob = path.join(box.dir, 'fifo/blobs/sha256', layer.digest.slice(7));
    rmSync(blob);
    execFileSync('mkfifo', [blob]);
    const t0 = Date.now();
    const p = box.run(['pull', 'oci:fifo:v1', 'from-fifo']);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(p.code).toBe(2);
    expect(p.stderr).toBe(
      `modelseal: error[UNREADABLE]: blob ${layer.digest} in oci:fifo (fifo/blobs/sha256/${layer.digest.slice(7)}) is not a regular file; refusing to read it\n`,
    );
    expect(existsSync(path.join(box.dir, 'from-fifo'))).toBe(false);
  });

  it('push removes temporary blobs left in the layout by dead processes', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    const stale = `.blob-${dead}-0123456789ab.tmp`;
    writeFileSync(path.join(box.dir, 'src', stale), Buffer.alloc(65536));
    const r = box.run(['push', model, 'oci:src:v2']);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(box.dir, 'src')).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('a manifest over 4 MiB is refused before any blob is written, saying what to do', () => {
    // 1200 files whose paths are 3 KiB long: about 4.6 MB of layer descriptors
    const big = path.join(box.dir, 'many');
    const deep = path.join(
      big,
      ...Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}${'d'.repeat(240)}`),
    );
    mkdirSync(deep, { recursive: true });
    for (let i = 0; i < 1200; i++)
      writeFileSync(path.join(deep, `${String(i).padStart(4, '0')}${'f'.repeat(200)}.txt`), String(i));
    const r = box.run(['push', big, 'oci:toolarge:v1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^modelseal: error\\[MANIFEST_TOO_LARGE\\]: ${big}: the manifest for its 1200 files would be \\d+ bytes, over the 4194304-byte limit registries accept; nothing was uploaded\\. Pack the many small files into a few archives \\(e\\.g\\. tar\\) inside the model, or push parts of the model as separate artifacts\\n$`,
      ),
    );
    expect(existsSync(path.join(box.dir, 'toolarge'))).toBe(false);
  });
});
