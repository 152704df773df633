// attachBundle on a real OCI image layout (files under a temp dir): the referrer manifest is cosign
// v3's, byte for byte in every field cosign reads, including config.artifactType (`cosign clean
// --type` selects on it), and bundleReferrers reads the bundle back.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTarget } from '../oci/open-target.js';
import { MediaTypes } from '../oci/target.js';
import { attachBundle, bundleReferrers } from './oci-referrers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-oci-referrers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('attachBundle', () => {
  it("writes cosign v3's referrer manifest, with artifactType in the config descriptor", async () => {
    const dir = path.join(tmp, 'layout');
    const { target } = openTarget(`oci:${dir}:v1`);
    const subjectBytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: { mediaType: MediaTypes.ociEmpty, digest: sha256(Buffer.from('{}')), size: 2 },
        layers: [],
      }),
    );
    const subject = {
      mediaType: MediaTypes.ociManifest,
      digest: sha256(subjectBytes),
      size: subjectBytes.length,
    };
    await target.push(subject, { kind: 'bytes', bytes: subjectBytes });
    const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const desc = await attachBundle(target, subject, bundle, 'https://sigstore.dev/cosign/sign/v1');
    const blob = (d: string) => readFileSync(path.join(dir, 'blobs/sha256', d.slice('sha256:'.length)));
    const manifest = JSON.parse(blob(desc.digest).toString()) as Record<string, unknown>;
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
      },
      layers: [
        {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          digest: sha256(bundle),
          size: bundle.length,
        },
      ],
      subject,
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
        'org.opencontainers.image.created': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    });
    expect(blob('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a').toString()).toBe(
      '{}',
    );
    const read = await bundleReferrers(target, subject);
    expect(read.map((r) => [r.referrer.digest, r.predicateType, r.bytes.toString()])).toEqual([
      [desc.digest, 'https://sigstore.dev/cosign/sign/v1', bundle.toString()],
    ]);
  });
});
