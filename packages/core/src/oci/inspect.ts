// inspectArtifact: describe an artifact without downloading its layers: manifest, config, file layers
// (path, media type, size, digest) and the tree of referrers (signatures, attestations) below it.
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../errors.js';
import { fetchVerifiedManifest } from './manifest-fetch.js';
import { artifactTypeOf, parseManifest, type ImageIndex, type ImageManifest } from './manifest.js';
import { artifactLayers, type ArtifactFormat } from './modelpack/artifact-layers.js';
import { openSource, type OpenTargetOptions } from './open-target.js';
import { VerifyingTap } from './verifying-stream.js';
import { MANIFEST_MEDIA_TYPES, MediaTypes, type Descriptor, type ReadOnlyTarget } from './target.js';

export interface InspectedLayer {
  path?: string;
  mediaType: string;
  size: number;
  digest: string;
}

/** One referrer (signature, attestation, ...) of an artifact, with its own referrers. */
export interface ReferrerNode {
  descriptor: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  referrers: ReferrerNode[];
}

/** What inspectArtifact() found: the pinned reference, manifest, config, layers and referrers. */
export interface InspectResult {
  reference: string;
  descriptor: Descriptor;
  format: ArtifactFormat | 'index';
  manifest: ImageManifest | ImageIndex;
  /** the config blob parsed as JSON when it is JSON and at most 1 MiB */
  config?: unknown;
  layers: InspectedLayer[];
  referrers: ReferrerNode[];
}

/** Options of inspectArtifact(): registry options and how deep to follow referrers (default 4). */
export interface InspectOptions extends OpenTargetOptions {
  /** with a Target: the tag or digest to inspect (default `latest`) */
  reference?: string;
  /** how deep to follow referrers of referrers (default 4) */
  referrerDepth?: number;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

async function readConfig(target: ReadOnlyTarget, desc: Descriptor): Promise<unknown> {
  if (desc.size > MAX_CONFIG_BYTES || !/json/.test(desc.mediaType) || desc.mediaType === MediaTypes.ociEmpty)
    return undefined;
  // Checked while reading: a source serving more than desc.size bytes fails at the first extra byte.
  const chunks: Buffer[] = [];
  const check = new VerifyingTap(desc, `config ${desc.digest} from ${target.location}`);
  await pipeline(await target.fetch(desc), check, async (verified: AsyncIterable<Buffer>) => {
    for await (const chunk of verified) chunks.push(chunk);
  });
  const bytes = Buffer.concat(chunks);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function referrerTree(
  target: ReadOnlyTarget,
  subject: Descriptor,
  depth: number,
  seen: Set<string>,
): Promise<ReferrerNode[]> {
  if (depth <= 0) return [];
  const nodes: ReferrerNode[] = [];
  for (const r of await target.referrers(subject)) {
    if (seen.has(r.digest)) continue;
    seen.add(r.digest);
    nodes.push({
      descriptor: { mediaType: r.mediaType, digest: r.digest, size: r.size },
      ...(r.artifactType ? { artifactType: r.artifactType } : {}),
      ...(r.annotations ? { annotations: r.annotations } : {}),
      referrers: await referrerTree(target, r, depth - 1, seen),
    });
  }
  return nodes;
}

/**
 * Fetch an artifact's manifest and config (digest-checked) and its referrers tree, without
 * downloading layers. Rejects with NOT_FOUND, UNSUPPORTED_MEDIA_TYPE, DIGEST_MISMATCH, REGISTRY or
 * REGISTRY_AUTH.
 */
export async function inspectArtifact(
  ref: string | ReadOnlyTarget,
  opts: InspectOptions = {},
): Promise<InspectResult> {
  const { target, selector, shown } = openSource(ref, opts);
  const descriptor = await target.resolve(selector);
  if (!MANIFEST_MEDIA_TYPES.includes(descriptor.mediaType)) {
    throw new ModelsealError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${shown} resolves to '${descriptor.mediaType}', not a manifest`,
    );
  }
  const bytes = await fetchVerifiedManifest(target, descriptor);
  const parsed = parseManifest(bytes, descriptor.mediaType, shown);
  const referrers = await referrerTree(
    target,
    descriptor,
    opts.referrerDepth ?? 4,
    new Set([descriptor.digest]),
  );
  const full: Descriptor = {
    ...descriptor,
    ...(artifactTypeOf(parsed) ? { artifactType: artifactTypeOf(parsed) } : {}),
  };
  if (parsed.kind === 'index') {
    return {
      reference: shown,
      descriptor: full,
      format: 'index',
      manifest: parsed.index,
      layers: [],
      referrers,
    };
  }
  const manifest = parsed.manifest;
  let format: ArtifactFormat;
  let layers: InspectedLayer[];
  try {
    const read = artifactLayers(manifest, shown);
    format = read.format;
    layers = read.layers.map((l) => ({
      ...(l.path !== undefined ? { path: l.path } : {}),
      mediaType: l.descriptor.mediaType,
      size: l.descriptor.size,
      digest: l.descriptor.digest,
    }));
  } catch {
    format = 'oci';
    layers = manifest.layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest }));
  }
  const config = await readConfig(target, manifest.config);
  return {
    reference: shown,
    descriptor: full,
    format,
    manifest,
    ...(config !== undefined ? { config } : {}),
    layers,
    referrers,
  };
}
