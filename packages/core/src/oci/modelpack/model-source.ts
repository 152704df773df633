// A ReadOnlyTarget over a packed model directory (packModel's output): the manifest and config from
// memory, each layer streamed from its file. `pushModel` is `copy` from this source; the destination
// verifies every byte against the digests hashed when packing, so a file changed since fails the push.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ModelsealError } from '../../errors.js';
import type { Descriptor, ReadOnlyTarget } from '../target.js';
import type { PackedLayer, PackedModel } from './pack-model.js';

export class PackedModelSource implements ReadOnlyTarget {
  readonly location: string;
  /** digests of the layers whose files were opened (the rest the destination already had) */
  readonly layersRead = new Set<string>();
  private readonly layers = new Map<string, PackedLayer>();

  /** `modelDir` only names the source in messages (`dir:<modelDir>`). */
  constructor(
    private readonly packed: PackedModel,
    modelDir: string,
  ) {
    this.location = `dir:${modelDir}`;
    for (const layer of packed.layers) this.layers.set(layer.descriptor.digest, layer);
  }

  /** The packed manifest, whatever the reference (a packed model holds exactly one). */
  resolve(_reference: string): Promise<Descriptor> {
    const { mediaType, digest, size, artifactType } = this.packed.manifest.descriptor;
    return Promise.resolve({ mediaType, digest, size, ...(artifactType ? { artifactType } : {}) });
  }

  fetch(desc: Descriptor): Promise<Readable> {
    const { manifest, config } = this.packed;
    if (desc.digest === manifest.descriptor.digest) return Promise.resolve(Readable.from([manifest.bytes]));
    if (desc.digest === config.descriptor.digest) return Promise.resolve(Readable.from([config.bytes]));
    const layer = this.layers.get(desc.digest);
    if (!layer)
      return Promise.reject(
        new ModelsealError('NOT_FOUND', `${desc.digest} is not part of ${this.location}`),
      );
    this.layersRead.add(desc.digest);
    return Promise.resolve(createReadStream(layer.file.path, { highWaterMark: 64 * 1024 }));
  }

  exists(desc: Descriptor): Promise<boolean> {
    const { manifest, config } = this.packed;
    return Promise.resolve(
      desc.digest === manifest.descriptor.digest ||
        desc.digest === config.descriptor.digest ||
        this.layers.has(desc.digest),
    );
  }

  /** A model directory has no referrers. */
  referrers(): Promise<Descriptor[]> {
    return Promise.resolve([]);
  }
}
