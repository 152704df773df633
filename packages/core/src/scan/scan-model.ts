// The `scan` verb: scan a model on disk (a directory or a single file) or an artifact (a ModelSource,
// a reference, or an opened Target) for weight formats, pickle imports and malformed headers. Reads
// and parses; never loads or runs a file.
import { artifactOptions } from '../source/artifact-options.js';
import { openModelSource, type ModelSource } from '../source/open-model-source.js';
import { ModelsealError } from '../errors.js';
import { walkModel } from '../model/walk-model.js';
import { openSource, type OpenTargetOptions } from '../oci/open-target.js';
import type { ReadOnlyTarget } from '../oci/target.js';
import { scanArtifact } from './scan-artifact.js';
import { scanFile } from './scan-file.js';
import type { ScannedFile, ScanReport } from './scan-report.js';

/** Options of scan. */
export interface ScanOptions extends OpenTargetOptions {
  /**
   * Pickle imports to allow on top of the built-in safe list: `module.name` or `module.*`. Imports known
   * to run code (os, subprocess, builtins.eval, runpy, ...) stay flagged whatever this says.
   */
  allowGlobals?: string[];
  /** For an artifact: fetch every layer whole and check its digest (default: only what the scan needs). */
  fetchAll?: boolean;
  /** For an opened Target: the tag or digest to scan (default `latest`). */
  reference?: string;
  /** For a model on disk: paths to leave out (model-relative), on top of top-level .git files. */
  ignorePaths?: string[];
  signal?: AbortSignal;
}

const GLOBAL_PATTERN = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*\.(\*|[A-Za-z_][\w]*)$/;

const isModelSource = (s: ModelSource | ReadOnlyTarget): s is ModelSource =>
  'kind' in s && (s.kind === 'directory' || s.kind === 'artifact');

/** Scan every file of the model on disk at `path` (sorted later). */
async function scanDirectory(
  path: string,
  allowGlobals: string[],
  options: ScanOptions,
): Promise<ScannedFile[]> {
  const tree = await walkModel(path, { ignorePaths: options.ignorePaths ?? [] });
  const files: ScannedFile[] = [];
  for (const f of tree.files) {
    options.signal?.throwIfAborted();
    files.push(await scanFile(f.path, f.name === '.' ? tree.name : f.name, allowGlobals));
  }
  return files;
}

/**
 * Scan `source`: a ModelSource, a string opened with openModelSource (a path that exists, else a
 * reference with an explicit registry host or `oci:PATH[:tag|@digest]`; a missing path is NOT_FOUND
 * and contacts nothing), or an opened Target with `options.reference` (default `latest`). For an
 * opened ArtifactSource its own options are used under `options`. Recognises formats by content; lists
 * every global a pickle imports (GLOBAL, INST, STACK_GLOBAL through stack and memo, EXT*) and flags
 * those outside the safe list with file and byte offset; validates safetensors headers. Findings are
 * returned in the report (`clean: false`), not thrown. Throws USAGE (bad allow pattern; ignorePaths with an artifact), NOT_FOUND,
 * UNREADABLE, SYMLINK, BAD_REFERENCE, REGISTRY*, UNSUPPORTED_ARTIFACT (an index), DIGEST_MISMATCH.
 */
export async function scan(
  source: ModelSource | string | ReadOnlyTarget,
  options: ScanOptions = {},
): Promise<ScanReport> {
  const allowGlobals = options.allowGlobals ?? [];
  for (const p of allowGlobals) {
    if (!GLOBAL_PATTERN.test(p))
      throw new ModelsealError('USAGE', `allowed global "${p}" is not module.name or module.*`);
  }
  const opened = typeof source === 'string' ? await openModelSource(source, options) : source;
  let files: ScannedFile[];
  let shown: string;
  if (isModelSource(opened) && opened.kind === 'directory') {
    shown = opened.shown;
    files = await scanDirectory(opened.path, allowGlobals, options);
  } else {
    const {
      target,
      selector,
      shown: named,
    } = isModelSource(opened)
      ? openSource(opened.ref, artifactOptions(opened, options, ['ignorePaths']))
      : openSource(opened, options);
    shown = named;
    files = await scanArtifact(target, selector, shown, {
      allowGlobals,
      ...(options.fetchAll ? { fetchAll: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const findings = files.flatMap((f) => f.findings);
  return { source: shown, clean: findings.length === 0, files, findings };
}
