// Copy an artifact graph between two Targets: blobs first (skipping ones the destination has,
// in parallel, streamed), then the manifest, then the tag; optionally the referrers graph too.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../errors.js';
import type { ProgressListener } from '../types.js';
import { isSha256Digest, sha256Digest } from './digest.js';
import { childrenOf, parseManifest } from './manifest.js';
import { forEachConcurrent } from './parallel.js';
import { ProgressMeter } from './progress-meter.js';
import { MANIFEST_MEDIA_TYPES, type Descriptor, type Target } from './target.js';

export interface CopyOptions {
  /** also copy manifests whose subject is the copied manifest, recursively (default true) */
  referrers?: boolean;
  /** blobs in flight at once (default 4) */
  concurrency?: number;
  onProgress?: ProgressListener;
}

export interface CopyResult {
  /** the root manifest that was copied */
  descriptor: Descriptor;
  /** referrer manifests copied along (all levels, parents before their own referrers) */
  referrers: Descriptor[];
  blobsCopied: number;
  blobsSkipped: number;
  bytesCopied: number;
}

/** A stream that opens `source` lazily; errors of either side destroy it. */
function deferredStream(source: () => Promise<Readable>): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  source().then(
    (s) => pipeline(s, out).catch((e: unknown) => out.destroy(e as Error)),
    (e: unknown) => out.destroy(e as Error),
  );
  return out;
}

/** Fetch a manifest and check that its bytes hash to the descriptor's digest. */
export async function fetchVerifiedManifest(target: Target, desc: Descriptor): Promise<Buffer> {
  const { bytes } = await target.fetchManifest(desc);
  const actual = sha256Digest(bytes);
  if (actual !== desc.digest) {
    throw new ModelsealError(
      'DIGEST_MISMATCH',
      `manifest ${desc.digest} from ${target.location} hashes to ${actual}`,
    );
  }
  return bytes;
}

export async function copy(
  src: Target,
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
    bytesCopied: 0,
  };
  const done = new Set<string>();

  const copyBlob = async (desc: Descriptor): Promise<void> => {
    if (await dst.exists(desc)) {
      result.blobsSkipped++;
      meter.add(desc.size, desc.digest);
      return;
    }
    await dst.push(desc, {
      kind: 'stream',
      open: () => deferredStream(async () => meter.count(await src.fetch(desc), desc.digest)),
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
    meter.bytesTotal += children
      .filter((c) => !MANIFEST_MEDIA_TYPES.includes(c.mediaType))
      .reduce((n, c) => n + c.size, 0);
    if (parsed.kind === 'index') {
      for (const child of children) await copyNode(child);
    } else {
      const unique = [...new Map(children.map((c) => [c.digest, c])).values()];
      await forEachConcurrent(unique, concurrency, copyBlob);
    }
    await dst.push(desc, { kind: 'bytes', bytes });
    if (withReferrers) {
      for (const r of await src.referrers(desc)) {
        if (done.has(r.digest)) continue;
        result.referrers.push(r);
        await copyNode({ mediaType: r.mediaType, digest: r.digest, size: r.size });
      }
    }
  };

  const root = await src.resolve(srcRef);
  await copyNode(root);
  const tag = dstRef ?? (isSha256Digest(srcRef) ? undefined : srcRef);
  if (tag !== undefined && !isSha256Digest(tag)) await dst.tag(root, tag);
  meter.finish();
  return { descriptor: root, ...result };
}
