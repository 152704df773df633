// Scans a model artifact in a registry or OCI layout without pulling it: the manifest is fetched and
// checked; every raw file layer is opened once and identified from its first bytes. A layer whose first
// bytes settle it (a safetensors header, GGUF, ONNX... that no pickle parse of the prefix could load) is
// judged from them, then the download is abandoned (the GET is closed, no Range request is needed) and
// reported `verified: false`. Every other layer (pickles, ZIPs, NumPy, polyglots, pickle-style names,
// anything a pickle parse of the prefix cannot rule out) is read whole through a SHA-256 check against
// the layer digest into a private temp file and scanned exactly as a local file is.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ModelsealError } from '../errors.js';
import { fetchVerifiedManifest } from '../oci/manifest-fetch.js';
import { parseManifest } from '../oci/manifest.js';
import { artifactLayers, type ArtifactLayer } from '../oci/modelpack/artifact-layers.js';
import { MAX_MANIFEST_BYTES, type ReadOnlyTarget } from '../oci/target.js';
import { DigestingTransform } from '../oci/verifying-stream.js';
import { StreamByteReader } from './byte-reader.js';
import { checkNameMatches, checkSafetensors, type CheckResult } from './content-checks.js';
import {
  DETECT_PREFIX_BYTES,
  isPickleName,
  isWeight,
  magicFormats,
  plainFormat,
  type WeightFormat,
} from './detect-format.js';
import { parsePickle } from './pickle-scan.js';
import { safetensorsHeaderLength } from './safetensors.js';
import { scanFile } from './scan-file.js';
import type { ScannedFile } from './scan-report.js';

/** How to scan the layers of an artifact. */
export interface ArtifactScanOptions {
  allowGlobals: readonly string[];
  /** fetch every layer whole and check it against its digest (default: prefixes for non-pickles) */
  fetchAll?: boolean;
  signal?: AbortSignal;
}

/** Scan the artifact `selector` (tag or digest) names in `target`; `shown` names it in messages. */
export async function scanArtifact(
  target: ReadOnlyTarget,
  selector: string,
  shown: string,
  opts: ArtifactScanOptions,
): Promise<ScannedFile[]> {
  const descriptor = await target.resolve(selector);
  if (descriptor.size > MAX_MANIFEST_BYTES)
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `manifest of ${shown} is ${descriptor.size} bytes (limit ${MAX_MANIFEST_BYTES})`,
    );
  const parsed = parseManifest(await fetchVerifiedManifest(target, descriptor), descriptor.mediaType, shown);
  if (parsed.kind !== 'manifest')
    throw new ModelsealError(
      'UNSUPPORTED_ARTIFACT',
      `${shown} is an index (${descriptor.mediaType}); scan one of its manifests by digest`,
    );
  const { layers } = artifactLayers(parsed.manifest, shown);
  const files: ScannedFile[] = [];
  for (const [i, layer] of layers.entries()) {
    opts.signal?.throwIfAborted();
    const name = layer.path ?? `layer ${i} (${layer.descriptor.digest})`;
    files.push(
      layer.encoding === 'raw' ? await scanLayer(target, layer, name, opts) : archiveLayer(layer, name),
    );
  }
  return files;
}

/** Archive layers (KitOps, tar) are not opened here: a finding tells to pull and scan the directory. */
function archiveLayer(layer: ArtifactLayer, name: string): ScannedFile {
  return {
    path: name,
    size: layer.descriptor.size,
    format: 'unknown',
    weight: true,
    verdict: 'flagged',
    imports: [],
    findings: [
      {
        file: name,
        kind: 'unsupported',
        message: `${name}: ${layer.encoding} layer ${layer.descriptor.digest} is an archive; pull the model and scan the directory`,
      },
    ],
    verified: false,
  };
}

/** Formats judged from their first bytes (and a safetensors header): nothing further is read. */
const PREFIX_FORMATS: ReadonlySet<WeightFormat> = new Set([
  'safetensors',
  'gguf',
  'ggml',
  'hdf5',
  'tflite',
  'onnx',
]);

/**
 * Whether pickle.load could do something with a file starting with `prefix` (of `size` bytes): false
 * only when a parse of the prefix stops at a malformed opcode before the prefix ends, importing nothing.
 */
async function pickleMayLoad(prefix: Buffer, size: number): Promise<boolean> {
  const reader = new StreamByteReader(Readable.from([prefix]));
  const parsed = await parsePickle(reader, { persistentLoad: false });
  const decided = prefix.length === size || parsed.end < prefix.length;
  return !(parsed.error?.kind === 'format' && parsed.imports.length === 0 && decided);
}

async function scanLayer(
  target: ReadOnlyTarget,
  layer: ArtifactLayer,
  name: string,
  opts: ArtifactScanOptions,
): Promise<ScannedFile> {
  const desc = layer.descriptor;
  const source = await target.fetch(desc);
  const check = new DigestingTransform(desc, `layer ${name}`);
  source.on('error', (err) => check.destroy(err));
  const verified = source.pipe(check);
  const reader = new StreamByteReader(verified);
  const ctx = { file: name, allowGlobals: opts.allowGlobals };
  try {
    const prefix = await reader.peekBytes(Math.min(desc.size, DETECT_PREFIX_BYTES));
    const loaders = magicFormats(prefix, desc.size);
    // A pickle-style name, or anything a pickle parse of the prefix cannot rule out, is read whole
    // (to a private temp file, through the digest check) and scanned as a local file is.
    const fromPrefix =
      opts.fetchAll !== true &&
      !isPickleName(name) &&
      loaders.length <= 1 &&
      loaders.every((f) => PREFIX_FORMATS.has(f)) &&
      !(await pickleMayLoad(prefix, desc.size));
    if (!fromPrefix) return { ...(await scanWholeLayer(reader, name, opts)), size: desc.size };
    const format: WeightFormat = loaders[0] ?? plainFormat(prefix);
    let result: CheckResult = { imports: [], findings: [] };
    if (format === 'safetensors') {
      const needs = 8 + (safetensorsHeaderLength(prefix, desc.size) ?? 0);
      const header = (await reader.take(needs)).subarray(8);
      result = checkSafetensors(header, desc.size, ctx);
    }
    // The check holds back a blob's last chunk until its digest matched: a reader that got to the end
    // has seen only verified bytes (small layers usually arrive as one chunk).
    const verifiedAll = reader.offset + reader.available >= desc.size;
    result.findings.push(...checkNameMatches(name, format));
    return {
      path: name,
      size: desc.size,
      format,
      weight: isWeight(name, format),
      verdict: result.findings.length > 0 ? 'flagged' : 'clean',
      imports: result.imports,
      findings: result.findings,
      verified: verifiedAll,
    };
  } catch (e) {
    throw check.failure ?? e;
  } finally {
    abandon(source, verified);
  }
}

/** The rest of the layer (all of it: nothing was consumed) to a private temp file, scanned as a local file. */
async function scanWholeLayer(
  reader: StreamByteReader,
  name: string,
  opts: ArtifactScanOptions,
): Promise<ScannedFile> {
  const dir = await mkdtemp(join(tmpdir(), 'modelseal-scan-'));
  const file = join(dir, 'layer');
  try {
    async function* rest(): AsyncGenerator<Buffer> {
      for (;;) {
        const piece = await reader.take(1024 * 1024);
        if (piece.length === 0) return;
        yield piece;
      }
    }
    await pipeline(rest(), createWriteStream(file, { mode: 0o600 }));
    return await scanFile(file, name, opts.allowGlobals);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function abandon(...streams: Readable[]): void {
  for (const s of streams) {
    if (s.destroyed) continue;
    s.on('error', () => undefined);
    s.destroy();
  }
}
