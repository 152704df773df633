// Scans a model artifact in a registry or OCI layout without pulling it: the manifest is fetched and
// checked; every raw file layer is opened once and identified from its first bytes. Layers that need
// their whole content (pickles, ZIPs, NumPy) are read to the end through a SHA-256 check against the
// layer digest, so their verdict rests on verified bytes; the others (safetensors headers, GGUF, ONNX...)
// are judged from their first bytes, then the download is abandoned (the GET is closed, no Range request
// is needed, so it works the same whether or not a registry honours Range) and reported `verified: false`.
// Layers named like pickles (.bin .pt ...) are always read whole: an unverified prefix must not decide
// that a pickle needs no scan.
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ModelsealError } from '../errors.js';
import { fetchVerifiedManifest } from '../oci/manifest-fetch.js';
import { parseManifest } from '../oci/manifest.js';
import { artifactLayers, type ArtifactLayer } from '../oci/modelpack/artifact-layers.js';
import { MAX_MANIFEST_BYTES, type ReadOnlyTarget } from '../oci/target.js';
import { DigestingTransform } from '../oci/verifying-stream.js';
import { StreamByteReader } from './byte-reader.js';
import {
  checkNameMatches,
  checkNumpy,
  checkPickles,
  checkSafetensors,
  checkZip,
  type CheckResult,
} from './content-checks.js';
import { detectFormat, DETECT_PREFIX_BYTES, isPickleName } from './detect-format.js';
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
    const detected = detectFormat(prefix, name, desc.size);
    let format = detected.format;
    let result: CheckResult = { imports: [], findings: [] };
    // A pickle-style name is read whole whatever its first bytes say: they are not verified yet.
    const whole = detected.needs === 'all' || opts.fetchAll === true || isPickleName(name);
    if (format === 'pickle') result = await checkPickles(reader, ctx);
    else if (format === 'numpy') result = await checkNumpy(reader, ctx);
    else if (format === 'zip') {
      result = await scanZipLayer(reader, desc.size, name, opts);
      if (result.torch) format = 'pytorch-zip';
    } else if (format === 'safetensors' && typeof detected.needs === 'number') {
      const header = (await reader.take(detected.needs)).subarray(8);
      result = checkSafetensors(header, desc.size, ctx);
    }
    if (whole) await reader.drain();
    // The check holds back a blob's last chunk until its digest matched: a reader that got to the end
    // has seen only verified bytes (small layers usually arrive as one chunk).
    const verifiedAll = whole || reader.offset + reader.available >= desc.size;
    result.findings.push(...checkNameMatches(name, format));
    return {
      path: name,
      size: desc.size,
      format,
      weight: detected.weight || format === 'pytorch-zip',
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

/** ZIP needs random access: the verified bytes go to a private temp file, removed afterwards. */
async function scanZipLayer(
  reader: StreamByteReader,
  size: number,
  name: string,
  opts: ArtifactScanOptions,
): Promise<CheckResult> {
  const dir = await mkdtemp(join(tmpdir(), 'modelseal-scan-'));
  const file = join(dir, 'layer.zip');
  try {
    async function* rest(): AsyncGenerator<Buffer> {
      for (;;) {
        const piece = await reader.take(1024 * 1024);
        if (piece.length === 0) return;
        yield piece;
      }
    }
    await pipeline(rest(), createWriteStream(file, { mode: 0o600 }));
    const handle = await open(file, 'r');
    try {
      return await checkZip(handle, file, size, { file: name, allowGlobals: opts.allowGlobals });
    } finally {
      await handle.close();
    }
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
