// pushModel: hash a model directory once (the OMS sha256 file digests are the layer digests), pack it
// as a CNCF ModelPack artifact and stream its files from disk into a registry or OCI layout.
import { createReadStream } from 'node:fs';
import { ModelsealError } from '../errors.js';
import { hashFiles } from '../digest/hash-files.js';
import { walkModel, type WalkOptions } from '../model/walk-model.js';
import type { ProgressListener, Resource } from '../types.js';
import type { ImageManifest } from './manifest.js';
import { compileGlobs } from './modelpack/media-types.js';
import { packModel, type PackedLayer } from './modelpack/pack-model.js';
import { openTarget, type OpenTargetOptions } from './open-target.js';
import { DEFAULT_TAG, formatReference, referenceLocation, type ArtifactReference } from './reference.js';
import { forEachConcurrent } from './parallel.js';
import { ProgressMeter } from './progress-meter.js';
import type { Descriptor, Target } from './target.js';

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
}

export interface PushedLayer {
  path: string;
  mediaType: string;
  digest: string;
  size: number;
}

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

  const tree = await walkModel(modelPath, opts.walk);
  const resources = await hashFiles(tree, {
    config: { method: 'files', hashType: 'sha256', shardSize: 0 },
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    ...(opts.onHashProgress ? { onProgress: opts.onHashProgress } : {}),
  });
  const packed = await packModel(tree, resources, {
    ...(opts.datasets?.length ? { isDataset: compileGlobs(opts.datasets) } : {}),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  });

  const unique = [...new Map(packed.layers.map((l) => [l.descriptor.digest, l])).values()];
  const meter = new ProgressMeter(opts.onProgress);
  meter.bytesTotal = unique.reduce((n, l) => n + l.descriptor.size, 0);
  let skipped = 0;
  await forEachConcurrent(unique, opts.concurrency ?? 4, async (layer: PackedLayer) => {
    const desc = layer.descriptor;
    if (await target.exists(desc)) {
      skipped++;
      meter.add(desc.size, layer.path);
      return;
    }
    await target.push(desc, {
      kind: 'stream',
      open: () => meter.count(createReadStream(layer.file.path, { highWaterMark: 1024 * 1024 }), layer.path),
    });
  });
  await target.push(packed.config.descriptor, { kind: 'bytes', bytes: packed.config.bytes });
  const manifestDesc = packed.manifest.descriptor;
  await target.push(manifestDesc, { kind: 'bytes', bytes: packed.manifest.bytes });
  if (tag !== undefined) await target.tag(manifestDesc, tag);
  meter.finish();

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
