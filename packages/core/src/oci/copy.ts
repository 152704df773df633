// Copy an artifact graph from a ReadOnlyTarget into a Target: blobs first (skipping ones the
// destination has, mounting where it can, in parallel, streamed), then the manifest, then the tag;
// optionally the referrers graph too. Push (packed model -> target) and pull (target -> staging
// directory) are this copy.
import { addAbortSignal, PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ProgressListener } from '../types.js';
import { isSha256Digest } from './digest.js';
import { childrenOf, parseManifest } from './manifest.js';
import { fetchVerifiedManifest } from './manifest-fetch.js';
import { ModelPackAnnotations } from './modelpack/media-types.js';
import { forEachConcurrent } from './parallel.js';
import { ProgressMeter } from './progress-meter.js';
import { isMounter, type Descriptor, type ReadOnlyTarget, type Target } from './target.js';

/**
 * Options of copy(): whether to copy referrers (signatures, attestations; default yes),
 * concurrency, progress and an AbortSignal.
 */
export interface CopyOptions {
  /** also copy manifests whose subject is the copied manifest, recursively (default true) */
  referrers?: boolean;
  /** blobs in flight at once (default 4) */
  concurrency?: number;
  onProgress?: ProgressListener;
  /** aborts the copy: streams in flight are destroyed and the promise rejects with an AbortError */
  signal?: AbortSignal;
}

/**
 * What copy() did: the root descriptor, the referrers copied, and how many blobs were copied or
 * already present.
 */
export interface CopyResult {
  /** the root manifest that was copied */
  descriptor: Descriptor;
  /** referrer manifests copied along (all levels, parents before their own referrers) */
  referrers: Descriptor[];
  blobsCopied: number;
  blobsSkipped: number;
  /** blobs the destination took over without a transfer (cross-repository mount) */
  blobsMounted: number;
  bytesCopied: number;
}

/** A stream that opens `source` lazily; errors of either side destroy it. */
function deferredStream(source: () => Promise<Readable>, signal?: AbortSignal): Readable {
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  if (signal) addAbortSignal(signal, out);
  source().then(
    (s) => pipeline(s, out).catch((e: unknown) => out.destroy(e as Error)),
    (e: unknown) => out.destroy(e as Error),
  );
  return out;
}

/** What progress output calls a blob: its file path annotation, else its digest. */
function itemName(desc: Descriptor): string {
  const a = desc.annotations;
  return a?.[ModelPackAnnotations.filepath] ?? a?.[ModelPackAnnotations.title] ?? desc.digest;
}

/**
 * Copy the manifest `srcRef` (tag or digest) resolves to in `src`, with everything it points at, into
 * `dst`, and tag it `dstRef` (default: `srcRef` when it is a tag). Every manifest is verified before it
 * is parsed; blob bytes are verified by the destination while it writes them. Throws what the targets
 * throw (NOT_FOUND, DIGEST_MISMATCH, REGISTRY...), or the signal's AbortError.
 */
export async function copy(
  src: ReadOnlyTarget,
  srcRef: string,
  dst: Target,
  dstRef?: string,
  opts: CopyOptions = {},
): Promise<CopyResult> {
  const concurrency = opts.concurrency ?? 4;
  const withReferrers = opts.referrers ?? true;
  const meter = new ProgressMeter(opts.onProgress);
  const result: Omit<CopyResult, 'descriptor'> = {
    referrers: [],
    blobsCopied: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    bytesCopied: 0,
  };
  const done = new Set<string>();

  const signal = opts.signal;
  const layerDigests = new Set<string>();
  const copyBlob = async (desc: Descriptor): Promise<void> => {
    signal?.throwIfAborted();
    const item = itemName(desc);
    const counted = layerDigests.has(desc.digest); // progress is about layer bytes, not configs
    if (await dst.exists(desc)) {
      result.blobsSkipped++;
      if (counted) meter.add(desc.size, item);
      return;
    }
    if (isMounter(dst) && (await dst.mount(desc, src))) {
      result.blobsMounted++;
      if (counted) meter.add(desc.size, item);
      return;
    }
    await dst.push(desc, {
      kind: 'stream',
      open: () =>
        deferredStream(async () => {
          const stream = await src.fetch(desc);
          return counted ? meter.count(stream, item) : stream;
        }, signal),
    });
    result.blobsCopied++;
    result.bytesCopied += desc.size;
  };

  const copyNode = async (desc: Descriptor): Promise<void> => {
    if (done.has(desc.digest)) return;
    done.add(desc.digest);
    const bytes = await fetchVerifiedManifest(src, desc);
    const parsed = parseManifest(bytes, desc.mediaType, `${src.location}@${desc.digest}`);
    const children = childrenOf(parsed);
    if (parsed.kind === 'index') {
      for (const child of children) await copyNode(child);
    } else {
      const unique = [...new Map(children.map((c) => [c.digest, c])).values()];
      const layers = new Map(parsed.manifest.layers.map((l) => [l.digest, l.size]));
      for (const [digest, size] of layers) {
        if (!layerDigests.has(digest)) meter.bytesTotal += size;
        layerDigests.add(digest);
      }
      await forEachConcurrent(unique, concurrency, copyBlob);
    }
    signal?.throwIfAborted();
    await dst.push(desc, { kind: 'bytes', bytes });
    if (withReferrers) {
      for (const r of await src.referrers(desc)) {
        if (done.has(r.digest)) continue;
        result.referrers.push(r);
        await copyNode({ mediaType: r.mediaType, digest: r.digest, size: r.size });
      }
    }
  };

  signal?.throwIfAborted();
  const root = await src.resolve(srcRef);
  await copyNode(root);
  const tag = dstRef ?? (isSha256Digest(srcRef) ? undefined : srcRef);
  if (tag !== undefined && !isSha256Digest(tag)) await dst.tag(root, tag);
  meter.finish();
  return { descriptor: root, ...result };
}
