// Attaches a Sigstore bundle to an artifact as an OCI referrer, in the cosign-compatible layout
// DESIGN.md names: artifactType application/vnd.dev.sigstore.bundle.v0.3+json, empty config, one
// layer holding the bundle, `subject` = the model manifest, predicateType annotation. Distribution
// 2.8 has no referrers API, so the registry target also updates the `sha256-<hex>` fallback index.
import { createHash } from 'node:crypto';
import { openTarget, type Descriptor } from '../../packages/core/src/index.js';
import { type RegistryCredentials } from '../../packages/core/src/oci.js';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function attachBundle(
  reference: string,
  bundle: Buffer,
  predicateType: string,
  credentials?: RegistryCredentials,
): Promise<void> {
  const { target, selector } = openTarget(reference, credentials ? { credentials } : {});
  if (!('push' in target)) throw new Error('not writable');
  const subject: Descriptor = await target.resolve(selector);
  const empty = Buffer.from('{}');
  const config = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(empty), size: 2 };
  const layer = { mediaType: BUNDLE, digest: sha(bundle), size: bundle.length };
  await target.push(config, { kind: 'bytes', bytes: empty });
  await target.push(layer, { kind: 'bytes', bytes: bundle });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: BUNDLE,
      config,
      layers: [layer],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': predicateType,
      },
    }),
  );
  await target.push(
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha(manifest),
      size: manifest.length,
      artifactType: BUNDLE,
    },
    { kind: 'bytes', bytes: manifest },
  );
}
