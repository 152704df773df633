// Small model directories and hand-built artifacts for the OCI tests (KiBs, deterministic bytes).
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar, { type Header as TarHeaders } from 'tar-stream';
import { LayoutTarget } from '../../packages/core/src/oci/layout/layout-target.js';
import type { Descriptor } from '../../packages/core/src/oci/target.js';

export const sha256 = (b: Buffer | string): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Deterministic pseudo-random bytes. */
export function bytesOf(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < size; off += 32) {
    block.copy(out, off, 0, Math.min(32, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** A model with one file of every role: weights, configs, docs, code (executable), a dataset, an empty file. */
export function makeModel(dir: string): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  writeFileSync(join(dir, 'model.safetensors'), bytesOf('weights', 48 * 1024));
  writeFileSync(join(dir, 'model-00002.gguf'), bytesOf('gguf', 5000));
  writeFileSync(join(dir, 'config.json'), '{"architectures":["Tiny"]}\n');
  writeFileSync(join(dir, 'tokenizer.json'), '{"version":"1.0"}\n');
  writeFileSync(join(dir, 'vocab.txt'), 'a\nb\nc\n');
  writeFileSync(join(dir, 'README.md'), '# tiny model\n');
  writeFileSync(join(dir, 'LICENSE'), 'Apache-2.0\n');
  writeFileSync(join(dir, 'scripts', 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'scripts', 'run.sh'), 0o755);
  writeFileSync(join(dir, 'data', 'train.csv'), 'x,y\n1,2\n');
  writeFileSync(join(dir, 'empty.bin'), '');
  writeFileSync(join(dir, 'notes.xyz'), 'unknown kind\n');
}

/** Every regular file below `dir` as path -> bytes (POSIX relative paths). */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = sha256(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

export function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

/** The header fields tar-stream's pack.entry() takes: a name, the rest optional. */
type TarHeader = Partial<TarHeaders> & Pick<TarHeaders, 'name'>;

export interface TarEntry {
  name: string;
  type?: TarHeaders['type'];
  body?: string;
  linkname?: string;
  mode?: number;
}

/** Build a tar archive in memory from entries (headers exactly as given). */
export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Uint8Array[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) =>
      c instanceof Uint8Array
        ? chunks.push(c)
        : reject(new Error(`tar-stream emitted a non-byte chunk: ${typeof c}`)),
    );
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const header: TarHeader = {
      name: e.name,
      type: e.type ?? 'file',
      mode: e.mode ?? 0o644,
      mtime: new Date(0),
      ...(e.linkname ? { linkname: e.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const written = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (header.type === 'file') pack.entry(header, e.body ?? '', written);
      else pack.entry(header, written);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const gzip = (b: Buffer): Buffer => gzipSync(b);

export interface HandLayer {
  bytes: Buffer;
  mediaType: string;
  annotations?: Record<string, string>;
}

/** Write an artifact by hand into an OCI layout and tag it; returns the manifest descriptor and bytes. */
export async function writeArtifact(
  layoutDir: string,
  tag: string,
  layers: HandLayer[],
  extra: {
    artifactType?: string;
    configMediaType?: string;
    config?: Buffer;
    subject?: Descriptor;
    annotations?: Record<string, string>;
  } = {},
): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const target = new LayoutTarget(layoutDir);
  const config = extra.config ?? Buffer.from('{}');
  const configDesc: Descriptor = {
    mediaType: extra.configMediaType ?? 'application/vnd.oci.empty.v1+json',
    digest: sha256(config),
    size: config.length,
  };
  await target.push(configDesc, { kind: 'bytes', bytes: config });
  const layerDescs: Descriptor[] = [];
  for (const l of layers) {
    const d: Descriptor = {
      mediaType: l.mediaType,
      digest: sha256(l.bytes),
      size: l.bytes.length,
      ...(l.annotations ? { annotations: l.annotations } : {}),
    };
    await target.push(d, { kind: 'bytes', bytes: l.bytes });
    layerDescs.push(d);
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...(extra.artifactType ? { artifactType: extra.artifactType } : {}),
    config: configDesc,
    layers: layerDescs,
    ...(extra.subject ? { subject: extra.subject } : {}),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const descriptor: Descriptor = { mediaType: manifest.mediaType, digest: sha256(bytes), size: bytes.length };
  await target.push(descriptor, { kind: 'bytes', bytes });
  if (tag) await target.tag(descriptor, tag);
  return { descriptor, bytes };
}
