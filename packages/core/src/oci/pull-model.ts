// pullModel: fetch a model artifact into DEST, failing closed. Every layer path is validated before any
// download; layers stream into a hidden staging directory beside DEST with digest and size checked
// while writing (archive layers are verified in full before extraction); only when everything verified
// is the staging directory renamed onto DEST.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../errors.js';
import type { ProgressListener } from '../types.js';
import { compareUtf8, rootDigest } from '../digest/root-digest.js';
import { fetchVerifiedManifest } from './copy.js';
import { parseManifest, type ImageManifest } from './manifest.js';
import { artifactLayers, type ArtifactFormat, type ArtifactLayer } from './modelpack/artifact-layers.js';
import { compileGlobs, ModelPackAnnotations } from './modelpack/media-types.js';
import { openSource, type OpenTargetOptions } from './open-target.js';
import { forEachConcurrent } from './parallel.js';
import { ProgressMeter } from './progress-meter.js';
import { checkSymlinks, extractTar } from './pull/extract-tar.js';
import { checkRelativePath, PathClaims } from './pull/safe-path.js';
import { VerifyingTap } from './registry/verifying-stream.js';
import { MAX_MANIFEST_BYTES, type Target } from './target.js';

export interface PullModelOptions extends OpenTargetOptions {
  /** with a Target instead of a reference string: the tag or digest to pull (default `latest`) */
  reference?: string;
  /** only materialise files matching one of these globs (without '/' they match basenames) */
  include?: string[];
  /** layers downloaded at once (default 4) */
  concurrency?: number;
  onProgress?: ProgressListener;
  /**
   * Runs after every byte verified and before DEST appears, with the staging directory: verify
   * signatures here. Throwing aborts the pull (DEST untouched, staging removed).
   */
  beforeCommit?: (staged: StagedModel) => Promise<void>;
}

export interface StagedModel {
  /** the staging directory holding the files (renamed onto DEST afterwards) */
  dir: string;
  digest: string;
  manifest: ImageManifest;
  files: PulledFile[];
  /** OMS root (hex) of the pulled files, when the whole artifact was pulled */
  omsRoot?: string;
}

export interface PulledFile {
  path: string;
  digest: string;
  size: number;
}

export interface PullModelResult {
  reference: string;
  digest: string;
  format: ArtifactFormat;
  files: PulledFile[];
  /** OMS root (hex) over the file digests in UTF-8 path order, when the whole artifact was pulled */
  omsRoot?: string;
}

/** DEST must not exist, or be an empty directory. */
async function checkDest(dest: string): Promise<void> {
  let s;
  try {
    s = await stat(dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ModelsealError('UNREADABLE', `cannot inspect destination ${dest}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!s.isDirectory() || (await readdir(dest)).length > 0) {
    throw new ModelsealError(
      'DEST_EXISTS',
      `destination ${dest} already exists and is not an empty directory`,
    );
  }
}

function layerMode(layer: ArtifactLayer): number {
  return layer.mode !== undefined && (layer.mode & 0o111) !== 0 ? 0o755 : 0o644;
}

export async function pullModel(
  ref: string | Target,
  dest: string,
  opts: PullModelOptions = {},
): Promise<PullModelResult> {
  const { target, selector, shown } = openSource(ref, opts);
  const destPath = resolve(dest);
  await checkDest(destPath);

  // Resolve and fetch the manifest (bounded, digest-checked), then validate every path before any download.
  const descriptor = await target.resolve(selector);
  if (descriptor.size > MAX_MANIFEST_BYTES) {
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `manifest of ${shown} is ${descriptor.size} bytes (limit ${MAX_MANIFEST_BYTES})`,
    );
  }
  const bytes = await fetchVerifiedManifest(target, descriptor);
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `manifest of ${shown} is over ${MAX_MANIFEST_BYTES} bytes`,
    );
  const parsed = parseManifest(bytes, descriptor.mediaType, shown);
  if (parsed.kind !== 'manifest') {
    throw new ModelsealError(
      'UNSUPPORTED_ARTIFACT',
      `${shown} is an index (${descriptor.mediaType}); pull one of its manifests by digest`,
    );
  }
  const { format, layers } = artifactLayers(parsed.manifest, shown);
  const claims = new PathClaims();
  for (const [i, layer] of layers.entries()) {
    if (layer.path === undefined) continue;
    const path = checkRelativePath(layer.path, `${shown} layer ${i}`);
    if (layer.encoding === 'raw') claims.claim(path, 'file', `${shown} layer ${i}`);
  }
  for (const layer of layers) {
    if (layer.encoding === 'tar+zstd') {
      throw new ModelsealError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${shown}: zstd-compressed layers (${layer.descriptor.mediaType}) are not supported`,
      );
    }
  }
  const include = opts.include?.length ? compileGlobs(opts.include) : undefined;
  const selected = layers.filter((l) => l.encoding !== 'raw' || !include || include(l.path as string));
  if (selected.length === 0)
    throw new ModelsealError('NOT_FOUND', `no file of ${shown} matches --include ${opts.include?.join(' ')}`);

  // Download into a staging directory beside DEST.
  const parent = dirname(destPath);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(destPath)}.modelseal-staging-${randomBytes(6).toString('hex')}`);
  await mkdir(staging);
  const archives = `${staging}.archives`;
  const files: PulledFile[] = [];
  let omsRoot: string | undefined;
  const meter = new ProgressMeter(opts.onProgress);
  meter.bytesTotal = selected.reduce((n, l) => n + l.descriptor.size, 0);
  try {
    await forEachConcurrent(selected, opts.concurrency ?? 4, async (layer, index) => {
      const d = layer.descriptor;
      const where = `${shown} layer ${d.digest}${layer.path ? ` (${layer.path})` : ''}`;
      const tap = new VerifyingTap(d, where, (n) => meter.add(n, layer.path));
      if (layer.encoding === 'raw') {
        const path = layer.path as string;
        const file = join(staging, ...path.split('/'));
        await mkdir(dirname(file), { recursive: true });
        const source = await target.fetch(d);
        await pipeline(
          source,
          tap,
          createWriteStream(file, { flags: 'wx', mode: layerMode(layer), highWaterMark: 1024 * 1024 }),
        );
        files.push({ path, digest: d.digest, size: d.size });
      } else {
        // Archives are downloaded and verified first, then extracted: never parse unverified bytes.
        const archive = join(archives, `${index}-${d.digest.slice('sha256:'.length)}`);
        await mkdir(archives, { recursive: true, mode: 0o700 });
        await pipeline(
          await target.fetch(d),
          tap,
          createWriteStream(archive, { flags: 'wx', highWaterMark: 1024 * 1024 }),
        );
        const extracted = await extractTar(createReadStream(archive, { highWaterMark: 1024 * 1024 }), {
          stagingRoot: staging,
          claims,
          where,
          gzip: layer.encoding === 'tar+gzip',
          ...(include ? { include } : {}),
        });
        await rm(archive, { force: true });
        files.push(...extracted);
      }
    });
    await checkSymlinks(staging, claims, shown);
    if (files.length === 0) {
      throw new ModelsealError(
        'NOT_FOUND',
        include
          ? `no file of ${shown} matches --include ${opts.include?.join(' ')}`
          : `${shown} holds no files`,
      );
    }
    files.sort((a, b) => compareUtf8(a.path, b.path));
    if (!include) {
      omsRoot = rootDigest(
        files.map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.digest.slice('sha256:'.length) })),
      );
      const claimed = parsed.manifest.annotations?.[ModelPackAnnotations.omsRoot];
      if (claimed !== undefined && claimed !== `sha256:${omsRoot}`) {
        throw new ModelsealError(
          'MANIFEST_INCONSISTENT',
          `${shown}: annotation ${ModelPackAnnotations.omsRoot} says ${claimed} but the files give sha256:${omsRoot}`,
        );
      }
    }
    await opts.beforeCommit?.({
      dir: staging,
      digest: descriptor.digest,
      manifest: parsed.manifest,
      files,
      ...(omsRoot ? { omsRoot } : {}),
    });
    await checkDest(destPath);
    try {
      await rename(staging, destPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new ModelsealError(
          'DEST_EXISTS',
          `destination ${destPath} appeared while pulling and is not an empty directory`,
          { cause: e },
        );
      }
      throw e;
    }
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  } finally {
    await rm(archives, { recursive: true, force: true });
  }
  meter.finish();
  return { reference: shown, digest: descriptor.digest, format, files, ...(omsRoot ? { omsRoot } : {}) };
}
