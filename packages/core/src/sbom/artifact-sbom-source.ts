// A stored artifact (registry or OCI layout) as an SbomSource: every file's SHA-256 is its raw layer's digest
// from the manifest, so no weight layer is fetched; only the model-card files (config.json,
// generation_config.json, README.md) are, each under a size cap and checked against its digest
// while it streams (a layer whose bytes do not match is refused, never read into the card).
import { pipeline } from 'node:stream/promises';
import { digestHex } from '../oci/digest.js';
import { VerifyingTap } from '../oci/verifying-stream.js';
import { MODEL_CARD_FILES } from './model-card.js';
import { omsManifestOf, type OpenedArtifact } from '../source/oci-artifact.js';
import { ociPurl } from './oci-purl.js';
import type { SbomSource } from './cyclonedx-bom.js';

/** Model-card layers larger than this are not fetched (their facts are left out of the card). */
const MAX_CARD_FILE_BYTES = 1024 * 1024;

/** How an artifact's model-card layers are read: the size cap, and a skip report. */
export interface CardFileOptions {
  /** Default MAX_CARD_FILE_BYTES (1 MiB). */
  maxCardFileBytes?: number;
  /** Told about a model-card layer left out because it is larger than the cap. */
  onSkipped?: (file: string, size: number) => void;
}

/**
 * An SbomSource for an opened artifact: files and OMS root from the manifest's raw layers, the purl
 * (`pkg:oci`, see ociPurl) and the manifest digest as version and hash; `read`
 * fetches only the model-card files, verified while streaming (DIGEST_MISMATCH). Throws
 * UNSUPPORTED_ARTIFACT when files sit in archive layers (no per-file digest in the manifest).
 */
export function artifactSbomSource(artifact: OpenedArtifact, opts: CardFileOptions = {}): SbomSource {
  const manifest = omsManifestOf(artifact);
  const cap = opts.maxCardFileBytes ?? MAX_CARD_FILE_BYTES;
  const cardLayers = new Map(
    artifact.plan.selected
      .filter((l) => l.path !== undefined && (MODEL_CARD_FILES as readonly string[]).includes(l.path))
      .map((l) => [l.path as string, l.descriptor]),
  );
  const digest = artifact.plan.descriptor.digest;
  return {
    name: manifest.subjectName,
    root: manifest.root,
    files: manifest.resources.map((r) => ({ name: r.name, sha256: r.digest })),
    properties: { 'modelseal:oci-manifest-digest': digest },
    artifact: {
      purl: ociPurl(artifact.reference, manifest.subjectName, digest),
      version: digest,
      sha256: digestHex(digest),
    },
    read: async (name) => {
      const desc = cardLayers.get(name);
      if (!desc) return undefined;
      if (desc.size > cap) {
        opts.onSkipped?.(name, desc.size);
        return undefined;
      }
      const chunks: Buffer[] = [];
      await pipeline(
        await artifact.target.fetch(desc),
        new VerifyingTap(desc, `${artifact.shown} layer ${name}`),
        async (s: AsyncIterable<Buffer>) => {
          for await (const c of s) chunks.push(c);
        },
      );
      return Buffer.concat(chunks);
    },
  };
}
