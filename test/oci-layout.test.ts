// OCI image layout end to end: push a model as ModelPack into `oci:DIR:tag`, pull it back byte-identical,
// deterministic manifests, skopeo reading our layout, --include, referrers and copy between layouts.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelsealError } from '../packages/core/src/errors.js';
import { copy } from '../packages/core/src/oci/copy.js';
import { EMPTY_BLOB_DIGEST } from '../packages/core/src/oci/digest.js';
import { inspectArtifact } from '../packages/core/src/oci/inspect.js';
import { LayoutTarget } from '../packages/core/src/oci/layout/layout-target.js';
import { pullModel } from '../packages/core/src/oci/pull-model.js';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import { makeModel, modeOf, readTree, sha256, writeArtifact } from './oci/model-fixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-oci-layout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = join(tmp, 'tiny-model');
makeModel(model);

const raw = (kind: string) => `application/vnd.cncf.model.${kind}.v1.raw`;

/**
 * Independent of modelseal's hashing: python3 hashlib gives each file's SHA-256 and the OMS files-mode
 * root (SHA-256 over the raw file digests in sorted path order).
 */
function pythonDigests(dir: string): { files: Record<string, string>; root: string } {
  const script = `
import hashlib, json, os, sys
top = sys.argv[1]
files = {}
for d, _, names in os.walk(top):
    for n in names:
        p = os.path.join(d, n)
        files[os.path.relpath(p, top)] = hashlib.sha256(open(p, 'rb').read()).hexdigest()
root = hashlib.sha256(b''.join(bytes.fromhex(files[k]) for k in sorted(files))).hexdigest()
print(json.dumps({'files': files, 'root': root}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' })) as {
    files: Record<string, string>;
    root: string;
  };
}
const PY = pythonDigests(model);

describe('ModelPack into an OCI layout', () => {
  // pushed once; every test below only reads this layout (the re-push test works on a copy)
  const layout = join(tmp, 'layout');
  let pushed: Awaited<ReturnType<typeof pushModel>>;
  beforeAll(async () => {
    pushed = await pushModel(model, `oci:${layout}:v1`, { datasets: ['data/**'] });
  });

  it('pushes one raw layer per file with roles, normalised metadata and our annotations', () => {
    expect(pushed.reference).toBe(`oci:${layout}:v1@${pushed.digest}`);
    expect(pushed.digest).toBe(sha256(pushed.manifestBytes));
    expect(pushed.size).toBe(pushed.manifestBytes.length);
    const m = JSON.parse(pushed.manifestBytes.toString());
    expect(Object.keys(m)).toEqual([
      'schemaVersion',
      'mediaType',
      'artifactType',
      'config',
      'layers',
      'annotations',
    ]);
    expect(m.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
    expect(m.config.mediaType).toBe('application/vnd.cncf.model.config.v1+json');
    const byPath = Object.fromEntries(
      m.layers.map((l: { annotations: Record<string, string>; mediaType: string }) => [
        l.annotations['org.cncf.model.filepath'],
        l,
      ]),
    );
    expect(
      Object.fromEntries(Object.entries(byPath).map(([p, l]) => [p, (l as { mediaType: string }).mediaType])),
    ).toEqual({
      LICENSE: raw('doc'),
      'README.md': raw('doc'),
      'config.json': raw('weight.config'),
      'data/train.csv': raw('dataset'),
      'empty.bin': raw('weight'),
      'model-00002.gguf': raw('weight'),
      'model.safetensors': raw('weight'),
      'notes.xyz': raw('weight'),
      'scripts/run.sh': raw('code'),
      'tokenizer.json': raw('weight.config'),
      'vocab.txt': raw('weight.config'),
    });
    expect(byPath['notes.xyz'].annotations['org.cncf.model.file.mediatype.untested']).toBe('true');
    expect(byPath['model.safetensors'].annotations['org.cncf.model.file.mediatype.untested']).toBeUndefined();
    expect(byPath['scripts/run.sh'].annotations['org.cncf.model.file.metadata+json']).toBe(
      '{"name":"run.sh","mode":493,"uid":0,"gid":0,"size":18,"mtime":"1970-01-01T00:00:00Z","typeflag":0}',
    );
    expect(byPath['empty.bin'].digest).toBe(EMPTY_BLOB_DIGEST);
    expect(byPath['empty.bin'].size).toBe(0);
    // layer digests are the files' SHA-256 and the root annotation is the OMS root (python3 hashlib)
    expect(Object.keys(PY.files)).toHaveLength(11);
    expect(
      Object.fromEntries(Object.entries(byPath).map(([p, l]) => [p, (l as { digest: string }).digest])),
    ).toEqual(Object.fromEntries(Object.entries(PY.files).map(([p, d]) => [p, `sha256:${d}`])));
    expect(m.annotations).toEqual({
      'dev.modelseal.oms.root': `sha256:${PY.root}`,
      'org.opencontainers.image.title': 'tiny-model',
    });
    expect(pushed.omsRoot).toBe(PY.root);
  });

  it('writes a config with exactly descriptor, config and modelfs.diffIds in layer order', () => {
    const m = JSON.parse(pushed.manifestBytes.toString());
    const config = readFileSync(join(layout, 'blobs/sha256', m.config.digest.slice(7)));
    expect(sha256(config)).toBe(m.config.digest);
    expect(config.toString()).toBe(
      JSON.stringify({
        descriptor: { name: 'tiny-model' },
        config: {},
        modelfs: { type: 'layers', diffIds: m.layers.map((l: { digest: string }) => l.digest) },
      }),
    );
  });

  it('writes a valid OCI layout: oci-layout, index.json with the tag, blobs named by digest', () => {
    expect(readFileSync(join(layout, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}');
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    expect(index.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: pushed.digest,
        size: pushed.size,
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
      },
    ]);
    for (const name of readdirSync(join(layout, 'blobs/sha256'))) {
      expect(sha256(readFileSync(join(layout, 'blobs/sha256', name)))).toBe(`sha256:${name}`);
    }
    expect(readdirSync(layout).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('is readable by skopeo: inspect --raw returns our exact manifest bytes', () => {
    const out = execFileSync('skopeo', ['inspect', '--raw', `oci:${layout}:v1`]);
    expect(Buffer.compare(out, pushed.manifestBytes)).toBe(0);
  });

  it('pulls back byte-identical files with their modes', async () => {
    const dest = join(tmp, 'pulled');
    const r = await pullModel(`oci:${layout}:v1`, dest);
    expect(r.digest).toBe(pushed.digest);
    expect(r.format).toBe('modelpack');
    expect(readTree(dest)).toEqual(readTree(model));
    expect(r.files.map((f) => f.path)).toEqual(Object.keys(readTree(model)).sort());
    for (const f of r.files) expect(f.digest).toBe(sha256(readFileSync(join(dest, f.path))));
    expect(modeOf(join(dest, 'scripts/run.sh')) & 0o111).not.toBe(0);
    expect(modeOf(join(dest, 'config.json')) & 0o111).toBe(0);
    expect(readdirSync(tmp).filter((n) => n.includes('staging'))).toEqual([]);
  });

  it('pulls by digest into an existing empty directory', async () => {
    const dest = join(tmp, 'empty-dest');
    mkdirSync(dest);
    const r = await pullModel(`oci:${layout}@${pushed.digest}`, dest);
    expect(r.files.length).toBe(11);
    // the files are moved in, then the completion marker is written last (issue 14 #11)
    const { ['.modelseal-complete']: _marker, ...files } = readTree(dest);
    expect(files).toEqual(readTree(model));
    expect(JSON.parse(readFileSync(join(dest, '.modelseal-complete'), 'utf8'))).toEqual({
      reference: `oci:${layout}@${pushed.digest}`,
      digest: pushed.digest,
      files: 11,
    });
  });

  it('refuses a non-empty destination and leaves it untouched', async () => {
    const dest = join(tmp, 'busy');
    mkdirSync(dest);
    writeFileSync(join(dest, 'keep.txt'), 'mine');
    await expect(pullModel(`oci:${layout}:v1`, dest)).rejects.toMatchObject({ code: 'DEST_EXISTS' });
    expect(readdirSync(dest)).toEqual(['keep.txt']);
  });

  it('--include pulls only matching files', async () => {
    const dest = join(tmp, 'only-json');
    const r = await pullModel(`oci:${layout}:v1`, dest, { include: ['*.json', 'scripts/**'] });
    expect(r.files.map((f) => f.path)).toEqual(['config.json', 'scripts/run.sh', 'tokenizer.json']);
    expect(Object.keys(readTree(dest)).sort()).toEqual(['config.json', 'scripts/run.sh', 'tokenizer.json']);
    await expect(
      pullModel(`oci:${layout}:v1`, join(tmp, 'none'), { include: ['*.nothing'] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives the same manifest digest for the same directory, wherever and whenever it is', async () => {
    const again = await pushModel(model, `oci:${join(tmp, 'layout2')}:x`, { datasets: ['data/**'] });
    expect(again.digest).toBe(pushed.digest);
    const moved = join(tmp, 'elsewhere', 'tiny-model');
    cpSync(model, moved, { recursive: true });
    utimesSync(join(moved, 'config.json'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const third = await pushModel(moved, `oci:${join(tmp, 'layout3')}`, { datasets: ['data/**'] });
    expect(third.digest).toBe(pushed.digest);
    expect(third.reference).toBe(`oci:${join(tmp, 'layout3')}:latest@${pushed.digest}`);
    // without the dataset rule the csv becomes an untested weight: a different artifact
    const plain = await pushModel(model, `oci:${join(tmp, 'layout4')}:v1`);
    expect(plain.digest).not.toBe(pushed.digest);
  });

  it('skips blobs the layout already has on re-push', async () => {
    const copyOf = join(tmp, 'layout-repush');
    cpSync(layout, copyOf, { recursive: true });
    const again = await pushModel(model, `oci:${copyOf}:v2`, { datasets: ['data/**'] });
    expect(again.digest).toBe(pushed.digest);
    expect(again.skipped).toBe(11);
    const index = JSON.parse(readFileSync(join(copyOf, 'index.json'), 'utf8'));
    expect(
      index.manifests.map(
        (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
      ),
    ).toEqual(['v1', 'v2']);
  });
});

describe('layout robustness', () => {
  it('reports progress up to the total bytes on push and pull', async () => {
    const layout = join(tmp, 'progress');
    const push: { bytesDone: number; bytesTotal: number }[] = [];
    const hash: { bytesDone: number; bytesTotal: number }[] = [];
    const r = await pushModel(model, `oci:${layout}:p`, {
      onProgress: (p) => push.push(p),
      onHashProgress: (p) => hash.push(p),
    });
    const total = r.layers.reduce((n, l) => n + l.size, 0);
    expect(push.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total });
    expect(hash.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total });
    const pull: { bytesDone: number; bytesTotal: number }[] = [];
    await pullModel(`oci:${layout}:p`, join(tmp, 'progress-out'), { onProgress: (p) => pull.push(p) });
    expect(pull.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total });
  });

  it('keeps every tag when many pushes into one layout run at once', async () => {
    const layout = join(tmp, 'parallel');
    const tags = Array.from({ length: 6 }, (_, i) => `t${i}`);
    const results = await Promise.all(tags.map((t) => pushModel(model, `oci:${layout}:${t}`)));
    expect(new Set(results.map((r) => r.digest)).size).toBe(1);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    expect(
      index.manifests
        .map(
          (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
        )
        .sort(),
    ).toEqual(tags);
    expect(readdirSync(layout).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('returns the OMS root of what was pulled, and runs beforeCommit on the staged files before DEST appears', async () => {
    const layout = join(tmp, 'commit');
    const pushed = await pushModel(model, `oci:${layout}:v1`);
    const seen: string[] = [];
    const dest = join(tmp, 'commit-ok');
    const r = await pullModel(`oci:${layout}:v1`, dest, {
      beforeCommit: async (staged) => {
        expect(staged.dir).not.toBe(dest);
        expect(readdirSync(tmp)).not.toContain('commit-ok');
        expect(readTree(staged.dir)).toEqual(readTree(model));
        expect(staged.omsRoot).toBe(pushed.omsRoot);
        expect(staged.digest).toBe(pushed.digest);
        seen.push(staged.dir);
      },
    });
    expect(seen).toHaveLength(1);
    expect(r.omsRoot).toBe(PY.root);
    const before = readdirSync(tmp).sort();
    await expect(
      pullModel(`oci:${layout}:v1`, join(tmp, 'commit-refused'), {
        beforeCommit: async () => {
          throw new ModelsealError('BAD_SIGNATURE', 'signature does not verify');
        },
      }),
    ).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(readdirSync(tmp).sort()).toEqual(before);
    const partial = await pullModel(`oci:${layout}:v1`, join(tmp, 'commit-partial'), { include: ['*.json'] });
    expect(partial.omsRoot).toBeUndefined();
  });

  it('refuses an artifact whose OMS root annotation disagrees with its files', async () => {
    const layout = join(tmp, 'lying-root');
    await writeArtifact(
      layout,
      'v1',
      [
        {
          bytes: Buffer.from('w'),
          mediaType: 'application/vnd.cncf.model.weight.v1.raw',
          annotations: { 'org.cncf.model.filepath': 'w.bin' },
        },
      ],
      {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        annotations: { 'dev.modelseal.oms.root': `sha256:${'0'.repeat(64)}` },
      },
    );
    const before = readdirSync(tmp).sort();
    await expect(pullModel(`oci:${layout}:v1`, join(tmp, 'lying-out'))).rejects.toMatchObject({
      code: 'MANIFEST_INCONSISTENT',
      message: expect.stringContaining(
        `annotation dev.modelseal.oms.root says sha256:${'0'.repeat(64)} but the files give sha256:`,
      ),
    });
    expect(readdirSync(tmp).sort()).toEqual(before);
  });

  it('refuses to turn a non-empty directory into a layout', async () => {
    const dir = join(tmp, 'not-a-layout');
    mkdirSync(dir);
    writeFileSync(join(dir, 'precious.txt'), 'keep');
    await expect(pushModel(model, `oci:${dir}:v1`)).rejects.toMatchObject({
      code: 'DEST_EXISTS',
      message: expect.stringContaining("found 'precious.txt'"),
    });
    expect(readdirSync(dir)).toEqual(['precious.txt']);
    await expect(pullModel(`oci:${dir}:v1`, join(tmp, 'nl-out'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `${dir} is not an OCI image layout (no oci-layout file)`,
    });
  });
});

describe('referrers and copy between layouts', () => {
  it('stores a referrer without a ref name, finds it, and copies it along', async () => {
    const src = join(tmp, 'ref-src');
    const pushed = await pushModel(model, `oci:${src}:v1`);
    const sig = Buffer.from('{"fake":"bundle"}');
    const referrer = await writeArtifact(
      src,
      '',
      [{ bytes: sig, mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }],
      {
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        subject: pushed.descriptor,
        annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
      },
    );
    const index = JSON.parse(readFileSync(join(src, 'index.json'), 'utf8'));
    expect(index.manifests[1]).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: referrer.descriptor.digest,
      size: referrer.descriptor.size,
    });
    const listed = await new LayoutTarget(src).referrers(pushed.descriptor);
    expect(listed).toEqual([
      {
        ...referrer.descriptor,
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
      },
    ]);
    expect(await new LayoutTarget(src).referrers(pushed.descriptor, 'application/other')).toEqual([]);

    const dst = join(tmp, 'ref-dst');
    const progress: number[] = [];
    const result = await copy(new LayoutTarget(src), 'v1', new LayoutTarget(dst), 'copied', {
      onProgress: (p) => progress.push(p.bytesDone),
    });
    expect(result.descriptor.digest).toBe(pushed.digest);
    expect(result.referrers.map((r) => r.digest)).toEqual([referrer.descriptor.digest]);
    expect(result.blobsCopied).toBe(11 + 1 + 1 + 1); // 11 files (empty one included), config, referrer's config and layer
    // layer bytes only (configs are not counted): the model's files, then the referrer's one layer
    const modelBytes = Object.keys(readTree(model)).reduce((n, f) => n + statSync(join(model, f)).size, 0);
    expect(modelBytes).toBe(54266);
    expect(progress.at(-1)).toBe(modelBytes + sig.length);
    const inspected = await inspectArtifact(`oci:${dst}:copied`);
    expect(inspected.descriptor.digest).toBe(pushed.digest);
    expect(inspected.referrers.map((r) => [r.descriptor.digest, r.artifactType])).toEqual([
      [referrer.descriptor.digest, 'application/vnd.dev.sigstore.bundle.v0.3+json'],
    ]);
    expect(inspected.layers.find((l) => l.path === 'model.safetensors')?.mediaType).toBe(raw('weight'));
    expect(inspected.config).toMatchObject({ descriptor: { name: 'tiny-model' } });

    const noRefs = join(tmp, 'ref-dst2');
    const r2 = await copy(new LayoutTarget(src), 'v1', new LayoutTarget(noRefs), undefined, {
      referrers: false,
    });
    expect(r2.referrers).toEqual([]);
    expect(await new LayoutTarget(noRefs).referrers(pushed.descriptor)).toEqual([]);
    expect((await new LayoutTarget(noRefs).resolve('v1')).digest).toBe(pushed.digest);
  });
});
