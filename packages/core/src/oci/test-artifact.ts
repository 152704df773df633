// Test-only helpers: build small OCI artifacts (config, layers, manifest, referrers) in a MemoryTarget.
import { sha256Digest } from './digest.js';
import { canonicalJson } from './manifest.js';
import { MemoryTarget } from './memory-target.js';
import { MediaTypes, type Descriptor } from './target.js';

export function blobOf(
  bytes: Buffer | string,
  mediaType = 'application/octet-stream',
  annotations?: Record<string, string>,
): { desc: Descriptor; bytes: Buffer } {
  const b = Buffer.from(bytes);
  return {
    desc: { mediaType, digest: sha256Digest(b), size: b.length, ...(annotations ? { annotations } : {}) },
    bytes: b,
  };
}

/** Put a manifest with `files` (path -> content) as titled layers into `target`; tag it `tag`. */
export function putArtifact(
  target: MemoryTarget,
  files: Record<string, string | Buffer>,
  opts: { tag?: string; subject?: Descriptor; annotations?: Record<string, string> } = {},
): { manifest: Descriptor; config: Descriptor; layers: Descriptor[]; bytes: Buffer } {
  const config = blobOf('{}', 'application/vnd.cncf.model.config.v1+json');
  const layers = Object.entries(files).map(([path, content]) =>
    blobOf(content, 'application/vnd.cncf.model.weight.v1.raw', { 'org.cncf.model.filepath': path }),
  );
  const doc = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    config: config.desc,
    layers: layers.map((l) => l.desc),
    ...(opts.subject ? { subject: opts.subject } : {}),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
  const bytes = canonicalJson(doc);
  const manifest: Descriptor = {
    mediaType: MediaTypes.ociManifest,
    digest: sha256Digest(bytes),
    size: bytes.length,
  };
  for (const b of [config, ...layers]) target.blobs.set(b.desc.digest, b);
  target.blobs.set(manifest.digest, { desc: manifest, bytes });
  if (opts.tag) target.tags.set(opts.tag, manifest);
  return { manifest, config: config.desc, layers: layers.map((l) => l.desc), bytes };
}
