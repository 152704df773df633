// Read a model artifact's manifest into file layers, whatever wrote it: CNCF ModelPack (`cncf` and
// legacy `cnai`), KitOps ModelKits, Docker model artifacts and ORAS file artifacts (title annotations).
import { ModelsealError } from '../../errors.js';
import type { ImageManifest } from '../manifest.js';
import type { Descriptor } from '../target.js';
import { ModelPackAnnotations, ModelPackTypes } from './media-types.js';

export type ArtifactFormat = 'modelpack' | 'modelpack-legacy' | 'kitops' | 'docker-model' | 'oras' | 'oci';
export type LayerEncoding = 'raw' | 'tar' | 'tar+gzip' | 'tar+zstd';

export interface ArtifactLayer {
  descriptor: Descriptor;
  /** file path from the layer annotations (for tar layers: informational, entries carry their own paths) */
  path?: string;
  encoding: LayerEncoding;
  /** permission bits from `file.metadata+json`, when given */
  mode?: number;
}

const ORAS_UNPACK = 'io.deis.oras.content.unpack';
const LEGACY_METADATA = 'org.cnai.model.file.metadata+json';
const MODEL_LAYER =
  /^application\/vnd\.(cncf|cnai)\.model\.[a-z.]+\.v1\.(raw|tar|tar\+gzip|tar\+zstd|gguf|safetensors)$/;
const KITOPS_LAYER = /^application\/vnd\.kitops\.modelkit\.\w+\.v1\.tar(?:\+(gzip|zstd))?$/;

export function formatOf(manifest: ImageManifest): ArtifactFormat {
  const type = manifest.artifactType ?? '';
  const config = manifest.config.mediaType;
  if (type === ModelPackTypes.artifact || config === ModelPackTypes.config) return 'modelpack';
  if (type.startsWith('application/vnd.cnai.model.') || config.startsWith('application/vnd.cnai.model.'))
    return 'modelpack-legacy';
  if (
    config.startsWith('application/vnd.kitops.modelkit.') ||
    config.startsWith('application/vnd.jozu.model.')
  )
    return 'kitops';
  if (config.startsWith('application/vnd.docker.ai.model.config.')) return 'docker-model';
  if (manifest.layers.some((l) => l.annotations?.[ModelPackAnnotations.title] !== undefined)) return 'oras';
  return 'oci';
}

function encodingOf(layer: Descriptor, hasPath: boolean): LayerEncoding | undefined {
  const mt = layer.mediaType;
  const model = MODEL_LAYER.exec(mt);
  if (model) {
    const enc = model[2] === 'gguf' || model[2] === 'safetensors' ? 'raw' : (model[2] as LayerEncoding);
    return enc === 'raw' && !hasPath ? undefined : enc; // a raw file needs a name
  }
  const kit = KITOPS_LAYER.exec(mt);
  if (kit) return kit[1] ? (`tar+${kit[1]}` as LayerEncoding) : 'tar';
  if (mt.startsWith('application/vnd.docker.ai.'))
    return mt.endsWith('.tar') ? 'tar' : hasPath ? 'raw' : undefined;
  const generic =
    /^application\/vnd\.(?:oci\.image|docker\.image\.rootfs)\.(?:layer\.v1\.)?(?:diff\.)?tar(?:\+(gzip|zstd)|\.gzip)?$/.exec(
      mt,
    );
  if (generic) {
    // ORAS pushes plain files as `...layer.v1.tar` with a title; only `unpack: true` layers are archives.
    if (hasPath && layer.annotations?.[ORAS_UNPACK] !== 'true') return 'raw';
    return generic[1] === 'zstd'
      ? 'tar+zstd'
      : generic[1] === 'gzip' || mt.endsWith('.gzip')
        ? 'tar+gzip'
        : 'tar';
  }
  return hasPath ? 'raw' : undefined;
}

function modeOf(layer: Descriptor): number | undefined {
  const text = layer.annotations?.[ModelPackAnnotations.fileMetadata] ?? layer.annotations?.[LEGACY_METADATA];
  if (text === undefined) return undefined;
  try {
    const mode = (JSON.parse(text) as { mode?: unknown }).mode;
    return typeof mode === 'number' && Number.isInteger(mode) ? mode : undefined;
  } catch {
    return undefined;
  }
}

/** The file layers of a model artifact; throws 'UNSUPPORTED_ARTIFACT' for a layer that is neither a named file nor an archive. */
export function artifactLayers(
  manifest: ImageManifest,
  where: string,
): { format: ArtifactFormat; layers: ArtifactLayer[] } {
  const format = formatOf(manifest);
  const layers = manifest.layers.map((layer, i): ArtifactLayer => {
    const a = layer.annotations ?? {};
    const path =
      a[ModelPackAnnotations.filepath] ??
      a[ModelPackAnnotations.legacyFilepath] ??
      a[ModelPackAnnotations.title];
    const encoding = encodingOf(layer, path !== undefined);
    if (encoding === undefined) {
      throw new ModelsealError(
        'UNSUPPORTED_ARTIFACT',
        `${where}: layer ${i} (${layer.mediaType}) has no file path annotation and is not an archive`,
      );
    }
    const mode = modeOf(layer);
    return {
      descriptor: layer,
      encoding,
      ...(path !== undefined ? { path } : {}),
      ...(mode !== undefined ? { mode } : {}),
    };
  });
  if (layers.length === 0)
    throw new ModelsealError('UNSUPPORTED_ARTIFACT', `${where}: artifact has no layers`);
  return { format, layers };
}
