// Build a CNCF ModelPack artifact (config + manifest bytes, one raw layer per file) from a walked
// model and its sha256 OMS resources: the file digests ARE the layer digests, nothing is hashed twice.
// Output is deterministic: same directory contents and modes -> same manifest digest.
import { stat } from 'node:fs/promises';
import { ModelsealError } from '../../errors.js';
import type { ModelFile, ModelTree, Resource } from '../../types.js';
import { rootDigest } from '../../digest/root-digest.js';
import { sha256Digest } from '../digest.js';
import { canonicalJson, type ImageManifest } from '../manifest.js';
import { MediaTypes, type Descriptor } from '../target.js';
import { classifyFile, ModelPackAnnotations, ModelPackTypes, rawLayerType } from './media-types.js';

/** Options of packModel(): which files are datasets, annotations, hashing jobs and progress. */
export interface PackOptions {
  /** files whose model-relative path passes are packed as datasets */
  isDataset?: (path: string) => boolean;
  /** extra manifest annotations (merged after ours, sorted by key) */
  annotations?: Record<string, string>;
}

export interface PackedLayer {
  descriptor: Descriptor;
  /** the file whose bytes are the layer */
  file: ModelFile;
  /** model-relative path stored in `org.cncf.model.filepath` */
  path: string;
}

/** A packed model: manifest, config and the layers with the files they come from. */
export interface PackedModel {
  config: { descriptor: Descriptor; bytes: Buffer };
  manifest: { descriptor: Descriptor; bytes: Buffer; document: ImageManifest };
  layers: PackedLayer[];
  /** OMS root digest of the packed resources (hex) */
  omsRoot: string;
}

const EPOCH = '1970-01-01T00:00:00Z';
const WEIGHT_FORMATS = new Set([
  'safetensors',
  'gguf',
  'onnx',
  'pt',
  'pth',
  'bin',
  'h5',
  'tflite',
  'ckpt',
  'msgpack',
  'pb',
  'npz',
  'keras',
]);

/** Normalised `org.cncf.model.file.metadata+json`: owner 0, mtime epoch 0, mode 0644 or 0755. */
export function fileMetadata(name: string, size: number, executable: boolean): string {
  return JSON.stringify({
    name,
    mode: executable ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: EPOCH,
    typeflag: 0,
  });
}

function formatOf(layers: { path: string; kind: string; untested: boolean }[]): string | undefined {
  const exts = new Set(
    layers
      .filter((l) => l.kind === 'weight' && !l.untested)
      .map((l) => l.path.split('.').pop()?.toLowerCase() ?? ''),
  );
  if (exts.size !== 1) return undefined;
  const [ext] = [...exts];
  return WEIGHT_FORMATS.has(ext) ? (ext === 'pth' ? 'pt' : ext) : undefined;
}

/**
 * Pack a model directory as a CNCF ModelPack artifact in memory: one raw layer per file (its digest
 * is the file's SHA-256), a config and a manifest; nothing is written. Rejects with EMPTY_MODEL or
 * the walk's codes.
 */
export async function packModel(
  tree: ModelTree,
  resources: Resource[],
  opts: PackOptions = {},
): Promise<PackedModel> {
  const byName = new Map(resources.map((r) => [r.name, r]));
  const planned: {
    file: ModelFile;
    path: string;
    kind: string;
    untested: boolean;
    digest: string;
    executable: boolean;
  }[] = [];
  for (const file of tree.files) {
    const r = byName.get(file.name);
    if (!r || r.algorithm !== 'sha256' || !/^[a-f0-9]{64}$/.test(r.digest)) {
      throw new ModelsealError(
        'MANIFEST_INCONSISTENT',
        `no sha256 file digest for '${file.name}' (ModelPack layers need method files + sha256)`,
      );
    }
    const path = file.name === '.' ? tree.name : file.name;
    const { kind, untested } = classifyFile(path, opts.isDataset);
    const st = await stat(file.path);
    planned.push({
      file,
      path,
      kind,
      untested,
      digest: `sha256:${r.digest}`,
      executable: (st.mode & 0o111) !== 0,
    });
  }
  if (planned.length === 0)
    throw new ModelsealError('EMPTY_MODEL', `model ${tree.root} has no files to pack`);

  const layers: PackedLayer[] = planned.map((p) => ({
    file: p.file,
    path: p.path,
    descriptor: {
      mediaType: rawLayerType(p.kind as Parameters<typeof rawLayerType>[0]),
      digest: p.digest,
      size: p.file.size,
      annotations: {
        [ModelPackAnnotations.filepath]: p.path,
        [ModelPackAnnotations.fileMetadata]: fileMetadata(
          p.path.split('/').pop() ?? p.path,
          p.file.size,
          p.executable,
        ),
        ...(p.untested ? { [ModelPackAnnotations.untested]: 'true' } : {}),
      },
    },
  }));

  const format = formatOf(planned);
  const configBytes = canonicalJson({
    descriptor: { name: tree.name },
    config: format ? { format } : {},
    modelfs: { type: 'layers', diffIds: layers.map((l) => l.descriptor.digest) },
  });
  const configDescriptor: Descriptor = {
    mediaType: ModelPackTypes.config,
    digest: sha256Digest(configBytes),
    size: configBytes.length,
  };

  const omsRoot = rootDigest(
    planned.map((p) => ({ name: p.path, algorithm: 'sha256', digest: p.digest.slice(7) })),
  );
  const annotations: Record<string, string> = {
    [ModelPackAnnotations.omsRoot]: `sha256:${omsRoot}`,
    [ModelPackAnnotations.title]: tree.name,
    ...opts.annotations,
  };
  const document: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: ModelPackTypes.artifact,
    config: configDescriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: Object.fromEntries(
      Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  };
  const bytes = canonicalJson(document);
  return {
    config: { descriptor: configDescriptor, bytes: configBytes },
    manifest: {
      document,
      bytes,
      descriptor: {
        mediaType: MediaTypes.ociManifest,
        digest: sha256Digest(bytes),
        size: bytes.length,
        artifactType: ModelPackTypes.artifact,
      },
    },
    layers,
    omsRoot,
  };
}
