// RegistryTarget under injected faults (a proxy in front of a real docker-registry): dropped
// connections are retried, wrong bytes and oversized manifests fail closed, 429/500 are retried.

import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copy } from '../packages/core/src/oci/copy.js';
import { LayoutTarget } from '../packages/core/src/oci/layout/layout-target.js';
import { RegistryTarget } from '../packages/core/src/oci/registry/registry-target.js';
import { verifyingStream } from '../packages/core/src/oci/verifying-stream.js';
import type { Descriptor } from '../packages/core/src/oci/target.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { startFaultProxy, type FaultProxy } from './registry/fault-proxy.js';
import { startFakeReferrersRegistry } from './registry/fake-referrers-registry.js';
import { writeArtifact } from './oci/model-fixture.js';
import { rejectionOf } from './rejection.js';

function blobOf(bytes: Buffer): Descriptor {
  return {
    mediaType: 'application/vnd.cncf.model.weight.v1.raw',
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let reg: RunningRegistry;
let proxy: FaultProxy;
const targets: RegistryTarget[] = [];

beforeAll(async () => {
  reg = await startRegistry({ auth: 'none' });
  proxy = await startFaultProxy(reg.host);
});
afterAll(async () => {
  for (const t of targets) t.close();
  await proxy?.close();
  await reg?.close();
  rmSync(tmp, { recursive: true, force: true });
});
const tmp = mkdtempSync(join(tmpdir(), 'ms-registry-faults-'));

function target(repository: string, retries = 4): RegistryTarget {
  const t = new RegistryTarget({
    registry: proxy.host,
    repository,
    credentials: {},
    retry: { retries, minDelayMs: 10, maxDelayMs: 50 },
  });
  targets.push(t);
  return t;
}

function requestsTo(pathPart: string, method?: string) {
  return proxy.log.filter((e) => e.path.includes(pathPart) && (!method || e.method === method));
}

describe('downloads', () => {
  it('a connection dropped mid-blob is resumed with a Range request and the bytes verify', async () => {
    const t = target('faults/drop');
    const layer = randomBytes(1024 * 1024);
    const desc = blobOf(layer);
    await t.push(desc, { kind: 'bytes', bytes: layer });
    proxy.dropBlobMidBody(desc.digest);
    const back = await readAll(verifyingStream(await t.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
    const gets = requestsTo(`/blobs/${desc.digest}`, 'GET');
    expect(gets.map((g) => [g.fault, g.status])).toEqual([
      ['drop-blob', 200],
      [undefined, 206],
    ]);
    expect(gets[1].range).toMatch(/^bytes=\d+-$/);
    expect(Number(gets[1].range!.slice(6, -1))).toBeGreaterThanOrEqual(512 * 1024);
    expect(t.stats.retries).toBe(1);
  });

  it('a registry that ignores Range: the resumed download skips the bytes already delivered', async () => {
    const fake = await startFakeReferrersRegistry();
    const front = await startFaultProxy(fake.host);
    try {
      const t = new RegistryTarget({
        registry: front.host,
        repository: 'faults/norange',
        credentials: {},
        retry: { minDelayMs: 10, maxDelayMs: 50 },
      });
      targets.push(t);
      const layer = randomBytes(768 * 1024);
      const desc = blobOf(layer);
      await t.push(desc, { kind: 'bytes', bytes: layer });
      front.dropBlobMidBody(desc.digest);
      const back = await readAll(verifyingStream(await t.fetch(desc), desc));
      expect(back.equals(layer)).toBe(true);
      const gets = front.log.filter((e) => e.method === 'GET' && e.path.endsWith(desc.digest));
      expect(gets.map((g) => [g.fault, g.status, g.range !== undefined])).toEqual([
        ['drop-blob', 200, false],
        [undefined, 200, true],
      ]);
    } finally {
      await front.close();
      await fake.close();
    }
  });

  it('wrong bytes from the registry fail with DIGEST_MISMATCH and are not retried', async () => {
    const t = target('faults/corrupt');
    const layer = randomBytes(200_000);
    const desc = blobOf(layer);
    await t.push(desc, { kind: 'bytes', bytes: layer });
    proxy.corruptBlob(desc.digest);
    const err = await rejectionOf(readAll(verifyingStream(await t.fetch(desc), desc)));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toMatch(
      new RegExp(
        `^blob ${desc.digest} does not match its descriptor: content hashes to sha256:[0-9a-f]{64}$`,
      ),
    );
    expect(requestsTo(`/blobs/${desc.digest}`, 'GET')).toHaveLength(1);
    expect(t.stats.retries).toBe(0);
  });

  it('a blob longer than its descriptor fails at the first extra byte', async () => {
    const t = target('faults/long');
    const layer = randomBytes(10_000);
    const desc = blobOf(layer);
    await t.push(desc, { kind: 'bytes', bytes: layer });
    const short = { ...desc, size: 5000 };
    await expect(readAll(await t.fetch(short))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });
});

describe('manifests', () => {
  it('a manifest over 4 MiB (declared Content-Length) is MANIFEST_TOO_LARGE', async () => {
    const t = target('faults/big');
    proxy.oversizedManifest('huge', 4 * 1024 * 1024 + 1);
    await expect(t.resolve('huge')).rejects.toMatchObject({
      code: 'MANIFEST_TOO_LARGE',
      message: `manifest huge in ${proxy.host}/faults/big is 4194305 bytes, over the 4194304-byte limit`,
    });
  });

  it('a manifest over 4 MiB without Content-Length is cut off while reading', async () => {
    const t = target('faults/big2');
    proxy.oversizedManifest('stream', 6 * 1024 * 1024, { declare: false });
    await expect(t.resolve('stream')).rejects.toMatchObject({ code: 'MANIFEST_TOO_LARGE' });
  });

  it('a manifest fetched by digest whose bytes differ is DIGEST_MISMATCH; by tag the digest is computed from the bytes', async () => {
    const t = target('faults/mdigest');
    const cfg = Buffer.from('{}');
    const cfgDesc = { ...blobOf(cfg), mediaType: 'application/vnd.oci.empty.v1+json' };
    await t.push(cfgDesc, { kind: 'bytes', bytes: cfg });
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: cfgDesc,
        layers: [],
      }),
    );
    const mdesc = { ...blobOf(bytes), mediaType: 'application/vnd.oci.image.manifest.v1+json' };
    await t.pushManifest(mdesc, bytes, 'v1');
    proxy.corruptManifest(mdesc.digest);
    await expect(t.fetchManifest(mdesc)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringMatching(
        new RegExp(
          `^manifest ${mdesc.digest} from ${proxy.host}/faults/mdigest hashes to sha256:[0-9a-f]{64}$`,
        ),
      ),
    });
    expect((await t.resolve('v1')).digest).toBe(mdesc.digest);
    // tag(): re-PUT the exact bytes under another tag.
    await t.tag(mdesc, 'stable');
    const tagged = await t.fetchManifest('stable');
    expect(tagged.descriptor.digest).toBe(mdesc.digest);
    expect(tagged.bytes.equals(bytes)).toBe(true);
    await expect(t.tag(mdesc, 'bad tag')).rejects.toMatchObject({ code: 'BAD_REFERENCE' });
  });

  it('pushing a manifest over 4 MiB is refused before any request', async () => {
    const t = target('faults/big3');
    const bytes = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const before = proxy.log.length;
    await expect(
      t.push(
        { ...blobOf(bytes), mediaType: 'application/vnd.oci.image.manifest.v1+json' },
        { kind: 'bytes', bytes },
      ),
    ).rejects.toMatchObject({
      code: 'MANIFEST_TOO_LARGE',
    });
    expect(proxy.log.length).toBe(before);
  });
});

describe('retries', () => {
  it('429 with Retry-After is honoured, then the request succeeds', async () => {
    const t = target('faults/throttle');
    const layer = randomBytes(1000);
    const desc = blobOf(layer);
    await t.push(desc, { kind: 'bytes', bytes: layer });
    proxy.failWith({ method: 'HEAD', path: new RegExp(`/faults/throttle/blobs/${desc.digest}$`) }, 429, {
      'retry-after': '1',
    });
    const started = Date.now();
    expect(await t.exists(desc)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(
      requestsTo('/faults/throttle/blobs/', 'HEAD')
        .map((e) => e.status)
        .slice(-2),
    ).toEqual([429, 200]);
  });

  it('500 then OK succeeds', async () => {
    const t = target('faults/flaky');
    const layer = randomBytes(1000);
    const desc = blobOf(layer);
    proxy.failWith({ method: 'POST', path: /\/faults\/flaky\/blobs\/uploads\/$/ }, 500);
    await t.push(desc, { kind: 'bytes', bytes: layer });
    expect(requestsTo('/faults/flaky/blobs/uploads/', 'POST').map((e) => e.status)).toEqual([500, 202]);
    expect(await t.exists(desc)).toBe(true);
  });

  it('persistent 503 gives up after the bounded attempts with one clear line', async () => {
    const t = target('faults/down', 2);
    proxy.failWith({ method: 'GET', path: /\/faults\/down\/manifests\/v1$/ }, 503, {}, 10);
    await expect(t.resolve('v1')).rejects.toMatchObject({
      code: 'REGISTRY',
      message: `registry ${proxy.host} refused pull of manifest v1 from faults/down: 503 UNKNOWN (injected 503)`,
    });
    expect(requestsTo('/faults/down/manifests/v1')).toHaveLength(3);
  });

  describe('with zero backoff: which statuses are retried, and how often', () => {
    const zeroBackoff = (repository: string): RegistryTarget => {
      const t = new RegistryTarget({
        registry: proxy.host,
        repository,
        credentials: {},
        retry: { retries: 3, minDelayMs: 0, maxDelayMs: 0 },
      });
      targets.push(t);
      return t;
    };
    const pushed = async (repository: string): Promise<{ t: RegistryTarget; desc: Descriptor }> => {
      const t = zeroBackoff(repository);
      const layer = randomBytes(100);
      const desc = blobOf(layer);
      await t.push(desc, { kind: 'bytes', bytes: layer });
      return { t, desc };
    };

    for (const status of [408, 429, 500, 502, 503, 504]) {
      it(`${status} is retried: 3 failures then 200 take exactly 4 requests; 4 failures give up after 4`, async () => {
        const { t, desc } = await pushed(`retry/s${status}`);
        const path = new RegExp(`/retry/s${status}/blobs/${desc.digest}$`);
        const before = requestsTo(`/retry/s${status}/blobs/${desc.digest}`, 'HEAD').length;
        proxy.failWith({ method: 'HEAD', path }, status, {}, 3);
        expect(await t.exists(desc)).toBe(true);
        const heads = () =>
          requestsTo(`/retry/s${status}/blobs/${desc.digest}`, 'HEAD')
            .slice(before)
            .map((e) => e.status);
        expect(heads()).toEqual([status, status, status, 200]);
        expect(t.stats.retries).toBe(3);
        proxy.failWith({ method: 'HEAD', path }, status, {}, 4);
        await expect(t.exists(desc)).rejects.toMatchObject({
          code: 'REGISTRY',
          message: `registry ${proxy.host} refused check of blob ${desc.digest.slice(0, 19)}… in retry/s${status}: ${status} (${STATUS_CODES[status]})`,
        });
        expect(heads()).toEqual([status, status, status, 200, status, status, status, status]);
        expect(t.stats.retries).toBe(6);
      });
    }

    for (const status of [400, 403, 405, 409, 501, 505]) {
      it(`${status} is not retried: one request, then the error`, async () => {
        const { t, desc } = await pushed(`noretry/s${status}`);
        const before = requestsTo(`/noretry/s${status}/blobs/${desc.digest}`, 'HEAD').length;
        proxy.failWith(
          { method: 'HEAD', path: new RegExp(`/noretry/s${status}/blobs/${desc.digest}$`) },
          status,
        );
        await expect(t.exists(desc)).rejects.toMatchObject({
          code: status === 403 ? 'REGISTRY_AUTH' : 'REGISTRY',
          message: `registry ${proxy.host} refused check of blob ${desc.digest.slice(0, 19)}… in noretry/s${status}: ${status} (${STATUS_CODES[status]})`,
        });
        expect(
          requestsTo(`/noretry/s${status}/blobs/${desc.digest}`, 'HEAD')
            .slice(before)
            .map((e) => e.status),
        ).toEqual([status]);
        expect(t.stats.retries).toBe(0);
        expect(await t.exists(desc)).toBe(true); // the fault was used up: the next request goes through
      });
    }

    it('a retried request waits the backoff: random 0.999 with 100 ms minimum sleeps 99 + 199 ms', async () => {
      const t = new RegistryTarget({
        registry: proxy.host,
        repository: 'retry/waits',
        credentials: {},
        retry: { retries: 2, minDelayMs: 100, maxDelayMs: 1000 },
      });
      targets.push(t);
      const layer = randomBytes(100);
      const desc = blobOf(layer);
      await t.push(desc, { kind: 'bytes', bytes: layer });
      proxy.failWith({ method: 'HEAD', path: new RegExp(`/retry/waits/blobs/${desc.digest}$`) }, 503, {}, 2);
      const random = vi.spyOn(Math, 'random').mockReturnValue(0.999);
      try {
        const started = performance.now();
        expect(await t.exists(desc)).toBe(true);
        expect(performance.now() - started).toBeGreaterThanOrEqual(295);
      } finally {
        random.mockRestore();
      }
    });
  });

  it('an upload cut mid-body restarts from scratch and succeeds', async () => {
    const t = target('faults/upload');
    const layer = randomBytes(300_000);
    const desc = blobOf(layer);
    proxy.dropUploadMidBody({ method: 'PUT', path: /\/faults\/upload\/blobs\/uploads\// });
    await t.push(desc, { kind: 'stream', open: () => Readable.from([layer]) });
    expect(requestsTo('/faults/upload/blobs/uploads/', 'POST')).toHaveLength(2);
    const back = await readAll(verifyingStream(await t.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
  });

  it('a chunk cut before reaching the registry is re-sent to the same upload location', async () => {
    const t = new RegistryTarget({
      registry: proxy.host,
      repository: 'faults/chunkdrop',
      credentials: {},
      chunkSize: 64 * 1024,
      chunkedThreshold: 0,
      retry: { minDelayMs: 10, maxDelayMs: 50 },
    });
    targets.push(t);
    const layer = randomBytes(64 * 1024 * 3 + 10);
    const desc = blobOf(layer);
    proxy.dropUploadMidBody({ method: 'PATCH', path: /\/faults\/chunkdrop\/blobs\/uploads\// });
    let opened = 0;
    await t.push(desc, { kind: 'stream', open: () => (opened++, Readable.from([layer])) });
    expect(opened).toBe(1);
    expect(
      requestsTo('/faults/chunkdrop/blobs/uploads/').map((e) => `${e.method} ${e.fault ?? e.status}`),
    ).toEqual(['POST 202', 'PATCH drop-upload', 'PATCH 202', 'PATCH 202', 'PATCH 202', 'PUT 201']);
    const back = await readAll(verifyingStream(await t.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
  });

  it('a chunk the registry no longer accepts (stale upload session) restarts the blob from scratch', async () => {
    const t = new RegistryTarget({
      registry: proxy.host,
      repository: 'faults/chunkstale',
      credentials: {},
      chunkSize: 64 * 1024,
      chunkedThreshold: 0,
      retry: { minDelayMs: 10, maxDelayMs: 50 },
    });
    targets.push(t);
    const layer = randomBytes(64 * 1024 * 3 + 10);
    const desc = blobOf(layer);
    // What 2.8 answers when a PATCH was partly written before the connection died.
    proxy.failWith({ method: 'PATCH', path: /\/faults\/chunkstale\/blobs\/uploads\// }, 404, {}, 1);
    let opened = 0;
    await t.push(desc, { kind: 'stream', open: () => (opened++, Readable.from([layer])) });
    expect(opened).toBe(2);
    const back = await readAll(verifyingStream(await t.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
  });

  it('a 401 on a streamed PUT (e.g. an expired token) restarts the upload once with fresh auth', async () => {
    const t = target('faults/reauth');
    const layer = randomBytes(50_000);
    const desc = blobOf(layer);
    proxy.failWith({ method: 'PUT', path: /\/faults\/reauth\/blobs\/uploads\// }, 401, {
      'www-authenticate': 'Basic realm="x"',
    });
    await t.push(desc, { kind: 'stream', open: () => Readable.from([layer]) });
    expect(requestsTo('/faults/reauth/blobs/uploads/').map((e) => `${e.method} ${e.status}`)).toEqual([
      'POST 202',
      'PUT 401',
      'DELETE 204',
      'POST 202',
      'PUT 201',
    ]);
  });

  it('a source whose bytes do not match the descriptor is DIGEST_MISMATCH, not retried, nothing stored', async () => {
    const t = target('faults/badsource');
    const layer = randomBytes(100_000);
    const desc = blobOf(layer);
    const tampered = Buffer.from(layer);
    tampered[500] = tampered[500] ^ 1;
    await expect(
      t.push(desc, { kind: 'stream', open: () => Readable.from([tampered]) }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(requestsTo('/faults/badsource/blobs/uploads/', 'POST')).toHaveLength(1);
    expect(await t.exists(desc)).toBe(false);
    // A short source fails the same way; still nothing stored.
    await expect(
      t.push(desc, { kind: 'stream', open: () => Readable.from([layer.subarray(1)]) }),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${desc.digest} does not match its descriptor: ${layer.length - 1} bytes instead of ${layer.length}`,
    });
    expect(requestsTo('/faults/badsource/blobs/uploads/', 'POST')).toHaveLength(2);
    expect(await t.exists(desc)).toBe(false);
    // A missing blob is a clear REGISTRY error.
    await expect(t.fetch(desc)).rejects.toMatchObject({
      code: 'REGISTRY',
      message: `registry ${proxy.host} refused pull of blob ${desc.digest.slice(0, 19)}… from faults/badsource: 404 BLOB_UNKNOWN (blob unknown to registry: ${desc.digest})`,
    });
    // A long source fails at the first extra byte, before the registry got the last bytes.
    await expect(
      t.push(desc, { kind: 'stream', open: () => Readable.from([layer, Buffer.from('x')]) }),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: `blob ${desc.digest} does not match its descriptor: more than the expected ${layer.length} bytes`,
    });
    expect(await t.exists(desc)).toBe(false);
  });
});

describe('copy', () => {
  it('a source blob that breaks off mid-body fails the copy (no hang) and leaves nothing in the destination layout', async () => {
    const layer = randomBytes(1024 * 1024);
    const desc = blobOf(layer);
    await writeArtifact(join(tmp, 'copy-src'), 'v1', [{ bytes: layer, mediaType: desc.mediaType }]);
    const t = target('faults/copy', 0);
    await copy(new LayoutTarget(join(tmp, 'copy-src')), 'v1', t);
    proxy.dropBlobMidBody(desc.digest);
    const dst = new LayoutTarget(join(tmp, 'copy-dst'));
    const err = await rejectionOf(copy(t, 'v1', dst));
    expect(err.code).toBe('REGISTRY');
    expect(err.message).toMatch(
      new RegExp(
        `^registry ${proxy.host} unreachable during pull of blob sha256:[0-9a-f]{12}… from faults/copy: `,
      ),
    );
    expect(await dst.exists(desc)).toBe(false);
    expect(readdirSync(join(tmp, 'copy-dst')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 20_000);
});
