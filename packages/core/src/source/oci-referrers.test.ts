// attachBundle on a real OCI image layout (files under a temp dir): the referrer manifest is cosign
// v3's, byte for byte in every field cosign reads, including config.artifactType (`cosign clean
// --type` selects on it), and bundleReferrers reads the bundle back. A referrer that cannot be read
// (missing blob, wrong bytes, a bundle above the signature cap, bundles above the cap together) is
// skipped with its reason while the others are read; more distinct referrers than the limit are refused.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTarget } from '../oci/open-target.js';
import { MediaTypes, type Descriptor } from '../oci/target.js';
import { isModelsealError } from '../errors.js';
import { attachBundle, bundleReferrers, MAX_REFERRER_BUNDLE_BYTES } from './oci-referrers.js';

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
    expect(read.skipped).toEqual([]);
    expect(read.bundles.map((r) => [r.referrer.digest, r.predicateType, r.bytes.toString()])).toEqual([
      [desc.digest, 'https://sigstore.dev/cosign/sign/v1', bundle.toString()],
    ]);
  });
});

const MiB = 1024 * 1024;
const SIGN = 'https://sigstore.dev/cosign/sign/v1';

/** A layout with a subject manifest; returns the target, its directory and the subject. */
async function layoutWithSubject(name: string, maxReferrers?: number) {
  const dir = path.join(tmp, name);
  const { target } = openTarget(`oci:${dir}:v1`, maxReferrers ? { maxReferrers } : {});
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociEmpty, digest: sha256(Buffer.from('{}')), size: 2 },
      layers: [],
      annotations: { name },
    }),
  );
  const subject: Descriptor = {
    mediaType: MediaTypes.ociManifest,
    digest: sha256(bytes),
    size: bytes.length,
  };
  await target.push(subject, { kind: 'bytes', bytes });
  const blobFile = (digest: string) => path.join(dir, 'blobs/sha256', digest.slice('sha256:'.length));
  return { target, dir, subject, blobFile };
}

/** A bundle of `size` bytes (JSON-looking text, distinct per `tag`). */
function bundleOf(tag: string, size: number): Buffer {
  const head = Buffer.from(`{"tag":"${tag}","pad":"`);
  const b = Buffer.alloc(size, 0x61);
  head.copy(b);
  b.write('"}', size - 2);
  return b;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isModelsealError(e) && e.code).toBe(code);
    return (e as Error).message;
  }
  throw new Error(`expected ${code}`);
}

describe('bundleReferrers: what cannot be read is skipped, never the end of the listing', () => {
  it('skips a missing bundle blob and one with other bytes, and reads the good one', async () => {
    const { target, subject, blobFile } = await layoutWithSubject('skip');
    const good = bundleOf('good', 300);
    const missing = bundleOf('missing', 300);
    const corrupt = bundleOf('corrupt', 300);
    const goodRef = await attachBundle(target, subject, good, SIGN);
    const missingRef = await attachBundle(target, subject, missing, SIGN);
    const corruptRef = await attachBundle(target, subject, corrupt, SIGN);
    unlinkSync(blobFile(sha256(missing)));
    writeFileSync(blobFile(sha256(corrupt)), bundleOf('CORRUPT', 300));
    const read = await bundleReferrers(target, subject);
    expect(read.bundles.map((b) => [b.referrer.digest, b.bytes.toString()])).toEqual([
      [goodRef.digest, good.toString()],
    ]);
    expect(read.skipped.map((s) => [s.digest, s.code]).sort()).toEqual(
      [
        [missingRef.digest, 'NOT_FOUND'],
        [corruptRef.digest, 'DIGEST_MISMATCH'],
      ].sort(),
    );
    for (const s of read.skipped) expect(s.message).toMatch(new RegExp(`^referrer ${s.digest} skipped: `));
  });

  it('skips a bundle above the signature cap before reading it, and a layout manifest that is corrupt', async () => {
    const { target, subject, blobFile } = await layoutWithSubject('too-large');
    const good = bundleOf('good', 200);
    const goodRef = await attachBundle(target, subject, good, SIGN);
    // a referrer manifest whose layer claims 32 MiB + 1 (the blob itself is small: never read)
    const huge = bundleOf('huge', 100);
    const hugeRef = await attachBundle(target, subject, huge, SIGN);
    const manifest = JSON.parse(readFileSync(blobFile(hugeRef.digest), 'utf8')) as {
      layers: { size: number }[];
    };
    manifest.layers[0].size = MAX_REFERRER_BUNDLE_BYTES + 1;
    const lying = Buffer.from(JSON.stringify(manifest));
    const lyingDesc = { mediaType: MediaTypes.ociManifest, digest: sha256(lying), size: lying.length };
    await target.push(lyingDesc, { kind: 'bytes', bytes: lying });
    // a third referrer whose manifest blob is truncated on disk
    const gone = await attachBundle(target, subject, bundleOf('gone', 100), SIGN);
    truncateSync(blobFile(gone.digest), 10);
    const read = await bundleReferrers(target, subject);
    // smallest first: the 100-byte bundle, then the 200-byte one
    expect(read.bundles.map((b) => b.referrer.digest)).toEqual([hugeRef.digest, goodRef.digest]);
    const byDigest = Object.fromEntries(read.skipped.map((s) => [s.digest, s]));
    expect(byDigest[lyingDesc.digest]?.code).toBe('BUNDLE_TOO_LARGE');
    expect(byDigest[lyingDesc.digest]?.message).toContain(`${MAX_REFERRER_BUNDLE_BYTES + 1} bytes is above`);
    // a layout manifest that cannot be read names no subject: not listed, not in the way
    expect(byDigest[gone.digest]).toBeUndefined();
    expect(read.skipped).toHaveLength(1);
  });

  it('reads bundles smallest first up to 32 MiB together: big ones cannot crowd out a small signature', async () => {
    const { target, subject } = await layoutWithSubject('budget');
    const big = [bundleOf('big-1', 20 * MiB), bundleOf('big-2', 20 * MiB)];
    const bigRefs = [];
    for (const b of big) bigRefs.push(await attachBundle(target, subject, b, SIGN));
    const small = bundleOf('small', 2000);
    const smallRef = await attachBundle(target, subject, small, SIGN);
    const read = await bundleReferrers(target, subject);
    const kept = read.bundles.map((b) => b.referrer.digest);
    expect(kept[0]).toBe(smallRef.digest);
    expect(kept).toHaveLength(2); // the small one and one of the 20 MiB ones
    expect(read.skipped).toHaveLength(1);
    const [first, second] = [...bigRefs].sort((a, b) => (a.digest < b.digest ? -1 : 1));
    expect(kept[1]).toBe(first.digest); // equal sizes: by digest, whatever the listing order
    expect(read.skipped[0]).toMatchObject({ digest: second.digest, code: 'BUNDLE_TOO_LARGE' });
    expect(read.skipped[0].message).toContain(`above ${MAX_REFERRER_BUNDLE_BYTES} bytes`);
    const held = read.bundles.reduce((n, b) => n + b.bytes.length, 0);
    expect(held).toBe(20 * MiB + 2000);
  });

  it('refuses more distinct referrers than maxReferrers (TOO_MANY_REFERRERS), counting each digest once', async () => {
    const { target, subject } = await layoutWithSubject('count', 2);
    await attachBundle(target, subject, bundleOf('a', 100), SIGN);
    const b = bundleOf('b', 100);
    await attachBundle(target, subject, b, SIGN);
    expect((await bundleReferrers(target, subject)).bundles).toHaveLength(2);
    await attachBundle(target, subject, bundleOf('c', 100), SIGN);
    const message = await expectCode(bundleReferrers(target, subject), 'TOO_MANY_REFERRERS');
    expect(message).toContain(`lists 3 distinct referrers of ${subject.digest}, more than the limit of 2`);
  });
});
