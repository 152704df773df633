// pullModel: fetch a model artifact into DEST, failing closed. It is `copy` from the source into a
// StagingTarget: every layer path is validated before any download (pull-plan.ts), layers stream into
// a hidden staging directory with digest and size checked while writing, and only when everything
// verified does the tree reach DEST (dest-commit.ts). On any failure or abort, staging is removed.
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ProgressListener } from '../types.js';
import { compareUtf8, rootDigest } from '../digest/root-digest.js';
import { ModelsealError } from '../errors.js';
import { copy } from './copy.js';
import type { ImageManifest } from './manifest.js';
import type { ArtifactFormat } from './modelpack/artifact-layers.js';
import { ModelPackAnnotations } from './modelpack/media-types.js';
import { openSource, type OpenTargetOptions } from './open-target.js';
import { checkDest, stageFor } from './pull/dest-commit.js';
import { ignoredByVerify, type IgnoredPathPolicy } from './pull/ignored-paths.js';
import { ignoredPathError, planPull, type PullPlan } from './pull/pull-plan.js';
import { StagingTarget, type PulledFile } from './pull/staging-target.js';
import type { Descriptor, ReadOnlyTarget } from './target.js';

export type { PulledFile } from './pull/staging-target.js';

/**
 * Options of pullModel(): registry options, which files to take (default all), concurrency (default
 * 4), progress, an AbortSignal, and a hook that checks the staged model before it is committed.
 */
export interface PullModelOptions extends OpenTargetOptions {
  /** with a Target instead of a reference string: the tag or digest to pull (default `latest`) */
  reference?: string;
  /** only materialise files matching one of these globs (without '/' they match basenames) */
  include?: string[];
  /** layers downloaded at once (default 4) */
  concurrency?: number;
  onProgress?: ProgressListener;
  /** aborts the pull: staging is removed, DEST left as it was, the promise rejects with an AbortError */
  signal?: AbortSignal;
  /**
   * Files at paths `verify DIR` ignores (top-level `.git*`, `.github`, `model.sig`, the completion
   * marker) are never written: 'skip' leaves them out with a warning each, 'refuse' fails the pull
   * with IGNORED_PATH before anything is written. Default 'refuse' with `verify` (a verified pull is
   * strict), else 'skip'.
   */
  ignoredPaths?: IgnoredPathPolicy;
  /** one human-readable line per warning (skipped paths) */
  onWarning?: (message: string) => void;
  /**
   * Runs after every byte verified and before DEST appears, with the staging directory: verify
   * signatures here. Throwing aborts the pull (DEST untouched, staging removed).
   */
  beforeCommit?: (staged: StagedModel) => Promise<void>;
  /**
   * Signature checks around the download (see `pullVerification` in @modelseal/core/attest):
   * `beforeDownload` runs once the manifest is fetched and checked, before any layer byte;
   * `beforeCommit` after every byte is verified, before DEST appears. Throwing aborts the pull.
   */
  verify?: PullVerification;
}

/** Checks a pull runs before downloading and before committing (signatures, signed file digests). */
export interface PullVerification {
  beforeDownload(artifact: { target: ReadOnlyTarget; shown: string; plan: PullPlan }): Promise<void>;
  beforeCommit(staged: StagedModel): Promise<void>;
}

/** A pulled model still in its staging directory, before the atomic rename into DEST. */
export interface StagedModel {
  /** the staging directory holding the files (moved onto DEST afterwards) */
  dir: string;
  digest: string;
  manifest: ImageManifest;
  files: PulledFile[];
  /** OMS root (hex) of the pulled files, when the whole artifact was pulled */
  omsRoot?: string;
}

/**
 * What pullModel() wrote: the pinned reference, the manifest digest, the artifact format and the
 * files.
 */
export interface PullModelResult {
  reference: string;
  digest: string;
  format: ArtifactFormat;
  files: PulledFile[];
  /** OMS root (hex) over the file digests in UTF-8 path order, when the whole artifact was pulled */
  omsRoot?: string;
  /** paths the artifact carries that were not written because verify ignores them */
  skipped: string[];
  /** true when DEST existed (an empty directory or mount point) and the completion marker was written */
  marker?: boolean;
}

/** `target`, except that the manifest already fetched (and verified) is served from memory. */
function withManifest(target: ReadOnlyTarget, desc: Descriptor, bytes: Buffer): ReadOnlyTarget {
  return {
    location: target.location,
    resolve: (ref) => (ref === desc.digest ? Promise.resolve(desc) : target.resolve(ref)),
    fetch: (d) => (d.digest === desc.digest ? Promise.resolve(Readable.from([bytes])) : target.fetch(d)),
    exists: (d) => target.exists(d),
    referrers: (subject, type) => target.referrers(subject, type),
  };
}

/**
 * Pull `ref` (a reference string, or an open target with `opts.reference`) into `dest`, which must
 * not exist (the tree is renamed onto it) or be an empty directory such as a mount point (files are
 * moved in, then the `.modelseal-complete` marker is written last). Throws IGNORED_PATH (strict), DEST_EXISTS, UNSAFE_PATH (before any download),
 * DIGEST_MISMATCH, MANIFEST_INCONSISTENT (files against the OMS root annotation), NOT_FOUND, what the
 * source throws, or the signal's AbortError; DEST is untouched whenever it throws.
 */
export async function pullModel(
  ref: string | ReadOnlyTarget,
  dest: string,
  opts: PullModelOptions = {},
): Promise<PullModelResult> {
  const { target, selector, shown } = openSource(ref, opts);
  const destPath = resolve(dest);
  await checkDest(destPath); // fail before any network traffic; checked again when staging

  opts.signal?.throwIfAborted();
  const policy = opts.ignoredPaths ?? (opts.verify ? 'refuse' : 'skip');
  const plan = await planPull(target, selector, shown, opts.include, policy);
  const { descriptor } = plan;
  const skipped: string[] = [];
  const warnSkipped = (path: string, where: string): void => {
    skipped.push(path);
    opts.onWarning?.(`${where}: not writing '${path}': verify ignores this path, so no signature covers it`);
  };
  for (const layer of plan.skipped)
    warnSkipped(layer.path as string, `${shown} layer ${layer.descriptor.digest}`);
  await opts.verify?.beforeDownload({ target, shown, plan });

  const staged = await stageFor(destPath);
  let omsRoot: string | undefined;
  let files: PulledFile[];
  try {
    const staging = new StagingTarget(staged.tree, staged.work, {
      shown,
      manifest: { descriptor, bytes: plan.bytes },
      layers: plan.selected,
      claims: plan.claims,
      ...(plan.include ? { include: plan.include } : {}),
      skip: ignoredByVerify,
      onSkip: (path, where) => {
        if (policy === 'refuse') throw ignoredPathError(shown, path, where);
        warnSkipped(path, where);
      },
    });
    await copy(withManifest(target, descriptor, plan.bytes), descriptor.digest, staging, undefined, {
      referrers: false,
      concurrency: opts.concurrency ?? 4,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await staging.finish();
    files = staging.files;
    if (files.length === 0) {
      throw new ModelsealError(
        'NOT_FOUND',
        plan.include
          ? `no file of ${shown} matches include ${opts.include?.join(' ')}`
          : `${shown} holds no files`,
      );
    }
    files.sort((a, b) => compareUtf8(a.path, b.path));
    if (!plan.include) {
      omsRoot = rootDigest(
        files.map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.digest.slice('sha256:'.length) })),
      );
      const claimed = plan.manifest.annotations?.[ModelPackAnnotations.omsRoot];
      if (claimed !== undefined && claimed !== `sha256:${omsRoot}`) {
        throw new ModelsealError(
          'MANIFEST_INCONSISTENT',
          `${shown}: annotation ${ModelPackAnnotations.omsRoot} says ${claimed} but the files give sha256:${omsRoot}`,
        );
      }
    }
    const stagedModel = {
      dir: staged.tree,
      digest: descriptor.digest,
      manifest: plan.manifest,
      files,
      ...(omsRoot ? { omsRoot } : {}),
    };
    await opts.verify?.beforeCommit(stagedModel);
    await opts.beforeCommit?.(stagedModel);
    opts.signal?.throwIfAborted();
    await staged.commit({ reference: shown, digest: descriptor.digest, files: files.length });
  } catch (e) {
    await staged.discard();
    throw e;
  }
  return {
    reference: shown,
    digest: descriptor.digest,
    format: plan.format,
    files,
    ...(omsRoot ? { omsRoot } : {}),
    skipped,
    ...(staged.inPlace ? { marker: true } : {}),
  };
}
