// OCI image manifest / index documents: types and strict parsing of fetched bytes (fail closed on bad shapes).
import { ModelsealError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import { MediaTypes, type Descriptor } from './target.js';

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex };

function fail(where: string, why: string): ModelsealError {
  return new ModelsealError('UNSUPPORTED_ARTIFACT', `${where}: ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkAnnotations(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw fail(where, 'annotations must map strings to strings');
}

/** Validate one descriptor: media type, sha256 digest, non-negative integer size, string annotations. */
export function checkDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw fail(where, 'descriptor is not an object');
  if (typeof v.mediaType !== 'string' || v.mediaType === '') throw fail(where, 'descriptor has no mediaType');
  if (!isSha256Digest(v.digest))
    throw fail(where, `descriptor digest ${JSON.stringify(v.digest)?.slice(0, 80)} is not sha256:<64 hex>`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0)
    throw fail(where, 'descriptor size is not a non-negative integer');
  if (v.artifactType !== undefined && typeof v.artifactType !== 'string')
    throw fail(where, 'artifactType is not a string');
  checkAnnotations(v.annotations, where);
  return v as unknown as Descriptor;
}

/** Parse manifest or index bytes; `mediaType` is the descriptor's type (the document's own field must agree). */
export function parseManifest(bytes: Uint8Array, mediaType: string, where: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw fail(where, 'manifest is not valid JSON');
  }
  if (!isObject(doc)) throw fail(where, 'manifest is not a JSON object');
  if (doc.schemaVersion !== 2)
    throw fail(where, `unsupported schemaVersion ${JSON.stringify(doc.schemaVersion)}`);
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (own !== undefined && own !== mediaType)
    throw fail(where, `manifest says mediaType '${own}' but was served as '${mediaType}'`);
  checkAnnotations(doc.annotations, where);
  if (doc.subject !== undefined) checkDescriptor(doc.subject, `${where} subject`);
  if (mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList) {
    if (!Array.isArray(doc.manifests)) throw fail(where, 'index has no manifests array');
    doc.manifests.forEach((d, i) => checkDescriptor(d, `${where} manifests[${i}]`));
    return { kind: 'index', index: doc as unknown as ImageIndex };
  }
  if (mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest) {
    checkDescriptor(doc.config, `${where} config`);
    if (!Array.isArray(doc.layers)) throw fail(where, 'manifest has no layers array');
    doc.layers.forEach((d, i) => checkDescriptor(d, `${where} layers[${i}]`));
    return { kind: 'manifest', manifest: doc as unknown as ImageManifest };
  }
  throw new ModelsealError('UNSUPPORTED_MEDIA_TYPE', `${where}: '${mediaType}' is not a manifest media type`);
}

/** The artifact type a referrers listing reports: `artifactType`, else the config media type. */
export function artifactTypeOf(parsed: ParsedManifest): string | undefined {
  if (parsed.kind === 'index') return parsed.index.artifactType;
  return parsed.manifest.artifactType ?? parsed.manifest.config.mediaType;
}

/** The descriptor a referrers listing gives for referrer manifest `desc`: its artifact type (else the config media type) and annotations. */
export function referrerDescriptor(
  desc: Descriptor,
  doc: { artifactType?: unknown; config?: { mediaType?: unknown }; annotations?: unknown },
): Descriptor {
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  const artifactType =
    typeof doc.artifactType === 'string'
      ? doc.artifactType
      : typeof doc.config?.mediaType === 'string'
        ? doc.config.mediaType
        : undefined;
  if (artifactType) entry.artifactType = artifactType;
  if (doc.annotations && typeof doc.annotations === 'object')
    entry.annotations = doc.annotations as Record<string, string>;
  return entry;
}

/** The descriptors a manifest or index points at (config + layers, or child manifests). */
export function childrenOf(parsed: ParsedManifest): Descriptor[] {
  return parsed.kind === 'index'
    ? parsed.index.manifests
    : [parsed.manifest.config, ...parsed.manifest.layers];
}

/** Serialise a document deterministically: insertion-ordered keys, no whitespace. */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
