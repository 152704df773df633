// pushModel: hash a model directory once (the OMS sha256 file digests are the layer digests), uploading
// each file's blob as soon as its digest is known (overlapping the hashing of the rest), pack it as a
// CNCF ModelPack artifact, then `copy` it from the packed directory into a registry or OCI layout
// (which finds the early blobs present and uploads the rest, the config and the manifest).
import { ModelsealError } from '../errors.js';
import { hashFiles } from '../digest/hash-files.js';
import { walkModel, type WalkOptions } from '../model/walk-model.js';
import type { ModelTree, ProgressListener, Resource } from '../types.js';
import type { ImageManifest } from './manifest.js';
import { compileGlobs } from './modelpack/media-types.js';
import { copy } from './copy.js';
import { EarlyUploads } from './early-uploads.js';
import { ProgressMeter } from './progress-meter.js';
import { PackedModelSource } from './modelpack/model-source.js';
import { unsafePathReason } from './pull/safe-path.js';
import { packModel, type PackedModel } from './modelpack/pack-model.js';
import { openTarget, type OpenTargetOptions } from './open-target.js';
import { DEFAULT_TAG, formatReference, referenceLocation, type ArtifactReference } from './reference.js';
import { MAX_MANIFEST_BYTES, type Descriptor, type Target } from './target.js';

/**
 * Options of pushModel(): registry options (credentials, plain HTTP), the tag (default: the
 * reference's, else `latest`), which files are datasets, annotations, concurrency (default 4),
 * progress and an AbortSignal.
 */
export interface PushModelOptions extends OpenTargetOptions {
  /** tag to set; default: the reference's tag, else `latest` (with a Target: no tag unless given) */
  tag?: string;
  /** globs (model-relative; without '/' they match basenames) of files packed as datasets */
  datasets?: string[];
  /** extra manifest annotations */
  annotations?: Record<string, string>;
  /** how the model directory is walked (ignore paths, symlinks) */
  walk?: WalkOptions;
  /** hashing worker threads */
  jobs?: number;
  /** blobs uploaded at once (default 4) */
  concurrency?: number;
  onHashProgress?: ProgressListener;
  onProgress?: ProgressListener;
  /** aborts hashing checks and the transfer (rejects with the signal's AbortError) */
  signal?: AbortSignal;
  /**
   * The walk and its `files`/`sha256` resources when the caller already hashed the model (see
   * pushModelFollowing): nothing is walked or hashed again. The caller vouches they are current.
   */
  prehashed?: { tree: ModelTree; resources: Resource[] };
}

export interface PushedLayer {
  path: string;
  mediaType: string;
  digest: string;
  size: number;
}

/** What pushModel() pushed: the reference, the manifest digest, media type, size and the layers. */
export interface PushModelResult {
  /** `location[:tag]@sha256:...` */
  reference: string;
  digest: string;
  mediaType: string;
  /** manifest size in bytes */
  size: number;
  descriptor: Descriptor;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  layers: PushedLayer[];
  /** OMS root (hex) and the sha256 resources it was computed from: reusable for signing */
  omsRoot: string;
  resources: Resource[];
  /** blobs the target already had */
  skipped: number;
}

/** A file name pull refuses (unsafePathReason: one rule for both) is refused before anything is uploaded. */
function refuseNamesPullRefuses(modelPath: string, names: readonly string[]): void {
  for (const name of names) {
    const why = unsafePathReason(name);
    if (why !== undefined)
      throw new ModelsealError(
        'UNPORTABLE_PATH',
        `cannot push ${modelPath}: file ${JSON.stringify(name)} has a name pull refuses (${why}); rename it. Nothing was uploaded`,
        { details: { path: name } },
      );
  }
}

/** Throws MANIFEST_TOO_LARGE when `packed`'s manifest is over the limit registries accept. */
function refuseLargeManifest(modelPath: string, packed: PackedModel): void {
  if (packed.manifest.bytes.length > MAX_MANIFEST_BYTES) {
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `${modelPath}: the manifest for its ${packed.layers.length} files would be ${packed.manifest.bytes.length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit registries accept; nothing was uploaded. Pack the many small files into a few archives (e.g. tar) inside the model, or push parts of the model as separate artifacts`,
      { details: { files: packed.layers.length, manifestBytes: packed.manifest.bytes.length } },
    );
  }
}

/**
 * Hash `modelPath`, pack it as a CNCF ModelPack artifact and copy it to `ref` (a reference string or an
 * open Target). Tags it with `opts.tag`, else the reference's tag, else `latest`. Throws
 * MANIFEST_TOO_LARGE before uploading anything when the manifest would exceed 4 MiB, UNPORTABLE_PATH
 * before hashing for a file name pull would refuse (a backslash, `C:x`), BAD_REFERENCE
 * for a digest reference, and what walking, hashing and the target throw.
 */
export async function pushModel(
  modelPath: string,
  ref: string | Target,
  opts: PushModelOptions = {},
): Promise<PushModelResult> {
  let target: Target;
  let tag: string | undefined = opts.tag;
  let location: string;
  let parsed: ArtifactReference | undefined;
  if (typeof ref === 'string') {
    const opened = openTarget(ref, opts);
    if (opened.reference.digest)
      throw new ModelsealError(
        'BAD_REFERENCE',
        `cannot push to a digest reference '${ref}'; give a tag or none`,
      );
    target = opened.target;
    parsed = opened.reference;
    tag ??= opened.reference.tag ?? DEFAULT_TAG;
    location = referenceLocation(opened.reference);
  } else {
    target = ref;
    location = ref.location;
  }

  opts.signal?.throwIfAborted();
  const tree = opts.prehashed?.tree ?? (await walkModel(modelPath, opts.walk));
  refuseNamesPullRefuses(modelPath, tree.isFile ? [tree.name] : tree.files.map((f) => f.name));
  const packOptions = {
    ...(opts.datasets?.length ? { isDataset: compileGlobs(opts.datasets) } : {}),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
  const concurrency = opts.concurrency ?? 4;

  let resources = opts.prehashed?.resources;
  let early: EarlyUploads | undefined;
  let earlyMeter: ProgressMeter | undefined;
  if (!resources) {
    // A manifest the registry would refuse is found before any byte is uploaded: digests are
    // fixed-length, so packing with placeholder digests gives the manifest's exact size.
    const zero = '0'.repeat(64);
    const placeholders = tree.files.map((f) => ({ name: f.name, algorithm: 'sha256', digest: zero }));
    refuseLargeManifest(modelPath, await packModel(tree, placeholders, packOptions));
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    earlyMeter = new ProgressMeter(opts.onProgress);
    earlyMeter.bytesTotal = tree.files.reduce((s, f) => s + f.size, 0);
    const uploads = new EarlyUploads(target, concurrency, (e) => stop.abort(e), earlyMeter, signal);
    early = uploads;
    try {
      resources = await hashFiles(tree, {
        config: { method: 'files', hashType: 'sha256', shardSize: 0 },
        ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
        ...(opts.onHashProgress ? { onProgress: opts.onHashProgress } : {}),
        signal,
        onHashed: (r, file) => uploads.add(file, r.digest),
      });
    } catch (e) {
      stop.abort(e);
      await uploads.settled().catch(() => undefined);
      throw e;
    }
    await uploads.settled();
  }
  opts.signal?.throwIfAborted();
  const packed = await packModel(tree, resources, packOptions);
  refuseLargeManifest(modelPath, packed);

  const source = new PackedModelSource(packed, modelPath);
  const manifestDesc = packed.manifest.descriptor;
  const listener = opts.onProgress;
  const uploadedEarly = earlyMeter?.bytesDone ?? 0;
  await copy(source, manifestDesc.digest, target, tag, {
    referrers: false,
    concurrency,
    // the blobs uploaded early are found present: progress never goes back
    ...(listener
      ? { onProgress: (p) => listener({ ...p, bytesDone: Math.max(p.bytesDone, uploadedEarly) }) }
      : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const layerDigests = new Set(packed.layers.map((l) => l.descriptor.digest));
  const skipped = [...layerDigests].filter(
    (d) => !source.layersRead.has(d) && !early?.uploaded.has(d),
  ).length;

  return {
    reference: parsed
      ? formatReference({ ...parsed, ...(tag ? { tag } : {}) }, manifestDesc.digest)
      : `${location}@${manifestDesc.digest}`,
    digest: manifestDesc.digest,
    mediaType: manifestDesc.mediaType,
    size: manifestDesc.size,
    descriptor: manifestDesc,
    manifest: packed.manifest.document,
    manifestBytes: packed.manifest.bytes,
    layers: packed.layers.map((l) => ({
      path: l.path,
      mediaType: l.descriptor.mediaType,
      digest: l.descriptor.digest,
      size: l.descriptor.size,
    })),
    omsRoot: packed.omsRoot,
    resources,
    skipped,
  };
}
