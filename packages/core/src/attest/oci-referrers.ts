// Sigstore bundles as OCI referrers, the way cosign v3 attaches them (specs/BUNDLE_SPEC.md): a
// manifest with artifactType and one layer `application/vnd.dev.sigstore.bundle.v0.3+json`, the empty
// config (its descriptor carrying the artifactType too), `subject` = the model manifest, and the content / predicateType annotations. Reading lists
// the subject's referrers (native API or the `sha256-<hex>` fallback index) and fetches each bundle.
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { canonicalJson, parseManifest } from '../oci/manifest.js';
import { fetchVerifiedManifest } from '../oci/manifest-fetch.js';
import { MediaTypes, type Descriptor, type ReadOnlyTarget, type Target } from '../oci/target.js';
import { VerifyingTap } from '../oci/verifying-stream.js';

/** Annotation naming the bundle content: `dsse-envelope` or `message-signature`. */
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
/** Annotation naming the DSSE statement's predicateType. */
export const BUNDLE_PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
const EMPTY = Buffer.from('{}');
/** Bundles are small; anything larger is refused before reading. */
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Pushes `bundle` as a referrer of `subject` in `target` and returns the referrer manifest's
 * descriptor. The registry target records it in the fallback index where there is no referrers API.
 */
export async function attachBundle(
  target: Target,
  subject: Descriptor,
  bundle: Buffer,
  predicateType: string,
): Promise<Descriptor> {
  const config = { mediaType: MediaTypes.ociEmpty, digest: sha256(EMPTY), size: EMPTY.length };
  const layer = { mediaType: MediaTypes.sigstoreBundleV03, digest: sha256(bundle), size: bundle.length };
  await target.push(config, { kind: 'bytes', bytes: EMPTY });
  await target.push(layer, { kind: 'bytes', bytes: bundle });
  const manifest = canonicalJson({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: MediaTypes.sigstoreBundleV03,
    // cosign sets artifactType in the config descriptor too; `cosign clean --type` selects on it.
    config: { ...config, artifactType: MediaTypes.sigstoreBundleV03 },
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
      [BUNDLE_PREDICATE_ANNOTATION]: predicateType,
      'org.opencontainers.image.created': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
  const desc = { mediaType: MediaTypes.ociManifest, digest: sha256(manifest), size: manifest.length };
  await target.push(desc, { kind: 'bytes', bytes: manifest });
  return desc;
}

/** A bundle read from a referrer: its bytes, the referrer's digest, and its predicateType annotation. */
export interface ReferrerBundle {
  referrer: Descriptor;
  predicateType?: string;
  bytes: Buffer;
}

/**
 * Every sigstore-bundle referrer of `subject` (optionally only those annotated with `predicateType`),
 * each bundle fetched and checked against its digest. A referrer that is not one manifest with exactly
 * one bundle layer is skipped, as cosign skips it.
 */
export async function bundleReferrers(
  target: ReadOnlyTarget,
  subject: Descriptor,
  predicateType?: string,
): Promise<ReferrerBundle[]> {
  const listed = await target.referrers(subject, MediaTypes.sigstoreBundleV03);
  const out: ReferrerBundle[] = [];
  for (const referrer of listed) {
    const annotated = referrer.annotations?.[BUNDLE_PREDICATE_ANNOTATION];
    if (predicateType && annotated !== undefined && annotated !== predicateType) continue;
    const parsed = parseManifest(
      await fetchVerifiedManifest(target, referrer),
      referrer.mediaType,
      `referrer ${referrer.digest}`,
    );
    if (parsed.kind !== 'manifest') continue;
    const layers = parsed.manifest.layers.filter((l) =>
      l.mediaType.startsWith('application/vnd.dev.sigstore.bundle'),
    );
    if (layers.length !== 1) continue;
    const [layer] = layers;
    if (layer.size > MAX_BUNDLE_BYTES)
      throw new ModelsealError(
        'MALFORMED_BUNDLE',
        `referrer ${referrer.digest}: bundle of ${layer.size} bytes is too large`,
      );
    const chunks: Buffer[] = [];
    await pipeline(
      await target.fetch(layer),
      new VerifyingTap(layer, `bundle ${layer.digest}`),
      async (s: AsyncIterable<Buffer>) => {
        for await (const c of s) chunks.push(c);
      },
    );
    const type = parsed.manifest.annotations?.[BUNDLE_PREDICATE_ANNOTATION] ?? annotated;
    if (predicateType && type !== undefined && type !== predicateType) continue;
    out.push({
      referrer,
      ...(type !== undefined ? { predicateType: type } : {}),
      bytes: Buffer.concat(chunks),
    });
  }
  return out;
}
