// Pulling artifacts written by other tools' conventions: ORAS file artifacts (title annotations, raw
// `layer.v1.tar` files and an unpacked tar+gzip directory), ModelPack tar+gzip layers, legacy
// `vnd.cnai` ModelPack and KitOps ModelKits. Artifacts are built by hand into OCI layouts.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact } from '../packages/core/src/oci/inspect.js';
import { pullModel } from '../packages/core/src/oci/pull-model.js';
import { gzip, readTree, sha256, tarOf, writeArtifact } from './oci/model-fixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-oci-formats-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pull reads foreign artifact formats', () => {
  it('ORAS: titled raw files (even typed layer.v1.tar) and an unpack=true tar+gzip directory', async () => {
    const layout = join(tmp, 'oras');
    const dirTar = gzip(
      await tarOf([
        { name: 'tokenizer/', type: 'directory' },
        { name: 'tokenizer/vocab.json', body: '{"a":1}' },
        { name: 'tokenizer/merges.txt', body: 'a b' },
      ]),
    );
    await writeArtifact(
      layout,
      'v1',
      [
        {
          bytes: Buffer.from('GGUF-weights'),
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          annotations: { 'org.opencontainers.image.title': 'model.gguf' },
        },
        {
          bytes: Buffer.from('hello'),
          mediaType: 'text/plain',
          annotations: { 'org.opencontainers.image.title': 'README.md' },
        },
        {
          bytes: dirTar,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          annotations: {
            'org.opencontainers.image.title': 'tokenizer',
            'io.deis.oras.content.unpack': 'true',
          },
        },
      ],
      { artifactType: 'application/vnd.unknown.artifact.v1' },
    );
    const dest = join(tmp, 'oras-out');
    const r = await pullModel(`oci:${layout}:v1`, dest);
    expect(r.format).toBe('oras');
    expect(r.files).toEqual([
      { path: 'README.md', digest: sha256('hello'), size: 5 },
      { path: 'model.gguf', digest: sha256('GGUF-weights'), size: 12 },
      { path: 'tokenizer/merges.txt', digest: sha256('a b'), size: 3 },
      { path: 'tokenizer/vocab.json', digest: sha256('{"a":1}'), size: 7 },
    ]);
    expect(readFileSync(join(dest, 'tokenizer/vocab.json'), 'utf8')).toBe('{"a":1}');
    expect(readFileSync(join(dest, 'model.gguf'), 'utf8')).toBe('GGUF-weights');
  });

  it('ModelPack tar+gzip layers extract at the model root, honouring --include', async () => {
    const layout = join(tmp, 'mp-targz');
    const t = gzip(
      await tarOf([
        { name: 'weights/a.safetensors', body: 'AAAA' },
        { name: 'weights/run.sh', body: 'echo', mode: 0o755 },
      ]),
    );
    await writeArtifact(
      layout,
      'v1',
      [
        {
          bytes: t,
          mediaType: 'application/vnd.cncf.model.weight.v1.tar+gzip',
          annotations: { 'org.cncf.model.filepath': 'weights' },
        },
        {
          bytes: Buffer.from('{}'),
          mediaType: 'application/vnd.cncf.model.weight.config.v1.raw',
          annotations: { 'org.cncf.model.filepath': 'config.json' },
        },
      ],
      {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        configMediaType: 'application/vnd.cncf.model.config.v1+json',
      },
    );
    const all = await pullModel(`oci:${layout}:v1`, join(tmp, 'mp-all'));
    expect(all.format).toBe('modelpack');
    expect(all.files.map((f) => f.path)).toEqual(['config.json', 'weights/a.safetensors', 'weights/run.sh']);
    expect(readTree(join(tmp, 'mp-all'))['weights/a.safetensors']).toBe(sha256('AAAA'));
    const some = await pullModel(`oci:${layout}:v1`, join(tmp, 'mp-some'), { include: ['*.safetensors'] });
    expect(some.files.map((f) => f.path)).toEqual(['weights/a.safetensors']);
    expect(Object.keys(readTree(join(tmp, 'mp-some')))).toEqual(['weights/a.safetensors']);
  });

  it('tar layers may hold in-tree symlinks and hard links', async () => {
    const layout = join(tmp, 'links');
    const t = await tarOf([
      { name: 'weights/a.bin', body: 'AAAA' },
      { name: 'latest.bin', type: 'symlink', linkname: 'weights/a.bin' },
      { name: 'copy.bin', type: 'link', linkname: 'weights/a.bin' },
    ]);
    await writeArtifact(layout, 'v1', [
      {
        bytes: t,
        mediaType: 'application/vnd.cncf.model.weight.v1.tar',
        annotations: { 'org.cncf.model.filepath': 'weights' },
      },
    ]);
    const dest = join(tmp, 'links-out');
    const r = await pullModel(`oci:${layout}:v1`, dest);
    expect(r.files).toEqual([
      { path: 'copy.bin', digest: sha256('AAAA'), size: 4 },
      { path: 'weights/a.bin', digest: sha256('AAAA'), size: 4 },
    ]);
    expect(lstatSync(join(dest, 'latest.bin')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'latest.bin'))).toBe('weights/a.bin');
    expect(readFileSync(join(dest, 'latest.bin'), 'utf8')).toBe('AAAA');
  });

  it('Docker model artifacts (v0.2: raw layers with org.cncf.model.filepath)', async () => {
    const layout = join(tmp, 'docker');
    await writeArtifact(
      layout,
      'v1',
      [
        {
          bytes: Buffer.from('gguf!'),
          mediaType: 'application/vnd.docker.ai.gguf.v3',
          annotations: { 'org.cncf.model.filepath': 'model.gguf' },
        },
        {
          bytes: Buffer.from('MIT'),
          mediaType: 'application/vnd.docker.ai.license',
          annotations: { 'org.cncf.model.filepath': 'LICENSE' },
        },
      ],
      {
        configMediaType: 'application/vnd.docker.ai.model.config.v0.2+json',
        config: Buffer.from('{"config":{"format":"gguf"}}'),
      },
    );
    const r = await pullModel(`oci:${layout}:v1`, join(tmp, 'docker-out'));
    expect(r.format).toBe('docker-model');
    expect(r.files.map((f) => [f.path, f.size])).toEqual([
      ['LICENSE', 3],
      ['model.gguf', 5],
    ]);
  });

  it('legacy vnd.cnai ModelPack with org.cnai.model.filepath', async () => {
    const layout = join(tmp, 'cnai');
    await writeArtifact(
      layout,
      'v1',
      [
        {
          bytes: Buffer.from('w'),
          mediaType: 'application/vnd.cnai.model.weight.v1.raw',
          annotations: {
            'org.cnai.model.filepath': 'model.bin',
            'org.cnai.model.file.metadata+json': '{"mode":493}',
          },
        },
        {
          bytes: Buffer.from('d'),
          mediaType: 'application/vnd.cnai.model.doc.v1.raw',
          annotations: { 'org.cnai.model.filepath': 'docs/README.md' },
        },
      ],
      {
        artifactType: 'application/vnd.cnai.model.manifest.v1+json',
        configMediaType: 'application/vnd.cnai.model.config.v1+json',
      },
    );
    const r = await pullModel(`oci:${layout}:v1`, join(tmp, 'cnai-out'));
    expect(r.format).toBe('modelpack-legacy');
    expect(r.files.map((f) => [f.path, f.digest])).toEqual([
      ['docs/README.md', sha256('d')],
      ['model.bin', sha256('w')],
    ]);
    const info = await inspectArtifact(`oci:${layout}:v1`);
    expect(info.layers.map((l) => l.path)).toEqual(['model.bin', 'docs/README.md']);
  });

  it('KitOps ModelKit tar layers', async () => {
    const layout = join(tmp, 'kit');
    const model = await tarOf([{ name: 'model/weights.onnx', body: 'onnx' }]);
    const docs = gzip(await tarOf([{ name: 'README.md', body: 'kit docs' }]));
    await writeArtifact(
      layout,
      'v1',
      [
        { bytes: model, mediaType: 'application/vnd.kitops.modelkit.model.v1.tar' },
        { bytes: docs, mediaType: 'application/vnd.kitops.modelkit.docs.v1.tar+gzip' },
      ],
      {
        configMediaType: 'application/vnd.kitops.modelkit.config.v1+json',
        config: Buffer.from('{"manifestVersion":"1.0.0"}'),
      },
    );
    const r = await pullModel(`oci:${layout}:v1`, join(tmp, 'kit-out'));
    expect(r.format).toBe('kitops');
    expect(r.files.map((f) => f.path)).toEqual(['README.md', 'model/weights.onnx']);
  });

  it('refuses zstd layers and layers that name no file', async () => {
    const layout = join(tmp, 'odd');
    await writeArtifact(layout, 'zstd', [
      {
        bytes: Buffer.from('z'),
        mediaType: 'application/vnd.cncf.model.weight.v1.tar+zstd',
        annotations: { 'org.cncf.model.filepath': 'w' },
      },
    ]);
    await expect(pullModel(`oci:${layout}:zstd`, join(tmp, 'z'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    await writeArtifact(layout, 'anon', [{ bytes: Buffer.from('?'), mediaType: 'application/octet-stream' }]);
    await expect(pullModel(`oci:${layout}:anon`, join(tmp, 'a'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_ARTIFACT',
      message: expect.stringMatching(/layer 0 \(application\/octet-stream\) has no file path annotation/),
    });
  });
});
