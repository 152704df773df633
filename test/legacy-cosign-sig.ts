// Writes a legacy cosign signature the way cosign v2 does (specs/SIGNATURE_SPEC.md): a manifest tagged
// `sha256-<hex>.sig` with one simplesigning layer whose annotation holds the base64 signature over
// the payload bytes; the config lists the payload's diff_id. Made with node:crypto and a given key.
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  COSIGN_SIGNATURE_ANNOTATION,
  legacySignatureTag,
  SIMPLESIGNING_MEDIA_TYPE,
} from '../packages/core/src/attest/index.js';
import { canonicalJson } from '../packages/core/src/oci/manifest.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { MediaTypes } from '../packages/core/src/oci/target.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Tags `sha256-<hex>.sig` in `ref`'s repository with a signature of `digest` by `privateKey`. */
export async function writeLegacySignature(
  ref: string,
  digest: string,
  privateKey: KeyObject,
): Promise<void> {
  const { target } = openTarget(ref);
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': 'registry.example/models/tiny' },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const sig = cryptoSign('sha256', payload, privateKey).toString('base64');
  const config = Buffer.from(
    '{"architecture":"","config":{},"created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["' +
      sha(payload) +
      '"]}}',
  );
  await target.push(
    { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    { kind: 'bytes', bytes: config },
  );
  await target.push(
    { mediaType: SIMPLESIGNING_MEDIA_TYPE, digest: sha(payload), size: payload.length },
    { kind: 'bytes', bytes: payload },
  );
  const manifest = canonicalJson({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      size: config.length,
      digest: sha(config),
    },
    layers: [
      {
        mediaType: SIMPLESIGNING_MEDIA_TYPE,
        size: payload.length,
        digest: sha(payload),
        annotations: { [COSIGN_SIGNATURE_ANNOTATION]: sig },
      },
    ],
  });
  const desc = { mediaType: MediaTypes.ociManifest, digest: sha(manifest), size: manifest.length };
  await target.push(desc, { kind: 'bytes', bytes: manifest });
  await target.tag(desc, legacySignatureTag(digest));
}
