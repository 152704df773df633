// Sigstore bundles as OCI referrers, the way cosign v3 attaches them (specs/BUNDLE_SPEC.md): a
// manifest with artifactType and one layer `application/vnd.dev.sigstore.bundle.v0.3+json`, the empty
// config (its descriptor carrying the artifactType too), `subject` = the model manifest, and the content / predicateType annotations. Reading lists
// the subject's referrers (native API or the `sha256-<hex>` fallback index) and fetches each bundle;
// one that cannot be read is skipped (a warning), never the end of the verdict.
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { ModelsealError, type ErrorCode } from '../errors.js';
import { canonicalJson, parseManifest } from '../oci/manifest.js';
import { fetchVerifiedManifest } from '../oci/manifest-fetch.js';
import { MediaTypes, type Descriptor, type ReadOnlyTarget, type Target } from '../oci/target.js';
import { VerifyingTap } from '../oci/verifying-stream.js';
import { isRunEnding } from './run-ending-error.js';
import { MAX_BUNDLE_BYTES } from '../oms/read-bundle-file.js';

/** Annotation naming the bundle content: `dsse-envelope` or `message-signature`. */
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
/** Annotation naming the DSSE statement's predicateType. */
export const BUNDLE_PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
const EMPTY = Buffer.from('{}');
/**
 * The most bundle bytes read for one subject, all referrers together (the signature cap): memory stays
 * bounded whatever the referrers list holds.
 */
export const MAX_REFERRER_BUNDLE_BYTES = MAX_BUNDLE_BYTES;

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

/** A referrer left out because it could not be read: its digest, why (an error code) and a message. */
export interface SkippedReferrer {
  digest: string;
  code: ErrorCode;
  message: string;
  /** Its predicateType annotation, when the listing or its manifest had one (unverified). */
  predicateType?: string;
}

/** bundleReferrers' result: the bundles read, and the referrers skipped (each one a warning). */
export interface BundleReferrers {
  bundles: ReferrerBundle[];
  skipped: SkippedReferrer[];
}

/** A referrer's own fault (not the registry's or the run's, see isRunEnding): it is skipped. */
function skippable(e: unknown): e is ModelsealError {
  return e instanceof ModelsealError && !isRunEnding(e);
}

async function readBundle(target: ReadOnlyTarget, layer: Descriptor): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(layer.size); // the VerifyingTap refuses a byte more or less
  let at = 0;
  await pipeline(
    await target.fetch(layer),
    new VerifyingTap(layer, `bundle ${layer.digest}`),
    async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) at += c.copy(bytes, at);
    },
  );
  return bytes;
}

/**
 * Every sigstore-bundle referrer of `subject` (optionally only those annotated with `predicateType`),
 * each bundle fetched and checked against its digest. A referrer that is not one manifest with exactly
 * one bundle layer is left out, as cosign leaves it out. A referrer that cannot be read (missing,
 * not matching its digest, not a manifest, a bundle above MAX_BUNDLE_BYTES, or beyond
 * MAX_REFERRER_BUNDLE_BYTES for all bundles together, smallest first) is `skipped`, never thrown: the
 * verdict rests on the others. Throws what the listing throws (TOO_MANY_REFERRERS, registry errors),
 * and TIMEOUT, REGISTRY_AUTH or an abort while reading.
 */
export async function bundleReferrers(
  target: ReadOnlyTarget,
  subject: Descriptor,
  predicateType?: string,
): Promise<BundleReferrers> {
  const listed = await target.referrers(subject, MediaTypes.sigstoreBundleV03);
  const skipped: SkippedReferrer[] = [];
  const skip = (referrer: Descriptor, code: ErrorCode, message: string, type?: string) => {
    const claimed = type ?? referrer.annotations?.[BUNDLE_PREDICATE_ANNOTATION];
    skipped.push({
      digest: referrer.digest,
      code,
      message: `referrer ${referrer.digest} skipped: ${message}`,
      ...(claimed !== undefined ? { predicateType: claimed } : {}),
    });
  };
  const wanted: { referrer: Descriptor; layer: Descriptor; type?: string }[] = [];
  for (const referrer of listed) {
    const annotated = referrer.annotations?.[BUNDLE_PREDICATE_ANNOTATION];
    if (predicateType && annotated !== undefined && annotated !== predicateType) continue;
    let parsed;
    try {
      parsed = parseManifest(
        await fetchVerifiedManifest(target, referrer),
        referrer.mediaType,
        `referrer ${referrer.digest}`,
      );
    } catch (e) {
      if (!skippable(e)) throw e;
      skip(referrer, e.code, e.message);
      continue;
    }
    if (parsed.kind !== 'manifest') continue;
    const layers = parsed.manifest.layers.filter((l) =>
      l.mediaType.startsWith('application/vnd.dev.sigstore.bundle'),
    );
    if (layers.length !== 1) continue;
    const [layer] = layers;
    const type = parsed.manifest.annotations?.[BUNDLE_PREDICATE_ANNOTATION] ?? annotated;
    if (predicateType && type !== undefined && type !== predicateType) continue;
    if (!(Number.isSafeInteger(layer.size) && layer.size >= 0) || layer.size > MAX_BUNDLE_BYTES) {
      skip(
        referrer,
        'BUNDLE_TOO_LARGE',
        `its bundle of ${layer.size} bytes is above ${MAX_BUNDLE_BYTES} bytes`,
        type,
      );
      continue;
    }
    wanted.push({ referrer, layer, ...(type !== undefined ? { type } : {}) });
  }
  // Smallest first (then by digest): big junk cannot crowd out a signature of a few KiB.
  wanted.sort((a, b) => a.layer.size - b.layer.size || (a.referrer.digest < b.referrer.digest ? -1 : 1));
  const bundles: ReferrerBundle[] = [];
  let held = 0;
  for (const { referrer, layer, type } of wanted) {
    if (held + layer.size > MAX_REFERRER_BUNDLE_BYTES) {
      skip(
        referrer,
        'BUNDLE_TOO_LARGE',
        `its bundle of ${layer.size} bytes would take the bundles read for ${subject.digest} above ${MAX_REFERRER_BUNDLE_BYTES} bytes`,
        type,
      );
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readBundle(target, layer);
    } catch (e) {
      if (!skippable(e)) throw e;
      skip(referrer, e.code, e.message, type);
      continue;
    }
    held += layer.size;
    bundles.push({ referrer, ...(type !== undefined ? { predicateType: type } : {}), bytes });
  }
  return { bundles, skipped };
}
