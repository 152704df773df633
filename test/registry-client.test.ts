// RegistryTarget against a real docker-registry 2.8: push + fetch through every auth setup, auth
// failures, skopeo cross-check, monolithic vs chunked uploads and cross-repository mounts.

import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  RegistryTarget,
  type RegistryTargetOptions,
} from '../packages/core/src/oci/registry/registry-target.js';
import { verifyingStream } from '../packages/core/src/oci/verifying-stream.js';
import type { ResponseEvent } from '../packages/core/src/oci/registry/registry-session.js';
import type { Descriptor } from '../packages/core/src/oci/target.js';
import { startRegistry, type RegistryAuthMode, type RunningRegistry } from './registry/harness.js';
import { startFakeReferrersRegistry } from './registry/fake-referrers-registry.js';
import { rejectionOf } from './rejection.js';

const run = promisify(execFile);

function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function blobOf(bytes: Buffer, mediaType = 'application/vnd.cncf.model.weight.v1.raw'): Descriptor {
  return { mediaType, digest: sha256(bytes), size: bytes.length };
}

function manifestFor(
  config: Descriptor,
  layers: Descriptor[],
  extra: Record<string, unknown> = {},
): { desc: Descriptor; bytes: Buffer } {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.cncf.model.manifest.v1+json',
      config,
      layers,
      ...extra,
    }),
  );
  return {
    desc: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(bytes),
      size: bytes.length,
    },
    bytes,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const registries: RunningRegistry[] = [];
const targets: RegistryTarget[] = [];
afterAll(async () => {
  for (const t of targets) t.close();
  await Promise.all(registries.map((r) => r.close()));
});

async function registry(auth: RegistryAuthMode): Promise<RunningRegistry> {
  const r = await startRegistry({ auth });
  registries.push(r);
  return r;
}

function target(
  reg: RunningRegistry,
  repository: string,
  extra: Partial<RegistryTargetOptions> = {},
): RegistryTarget {
  const t = new RegistryTarget({
    registry: reg.host,
    repository,
    credentials: reg.username ? { username: reg.username, password: reg.password } : {},
    retry: { minDelayMs: 10, maxDelayMs: 50 },
    ...extra,
  });
  targets.push(t);
  return t;
}

/** Push a config + one streamed layer + manifest (tagged v1); return what was pushed. */
async function pushArtifact(t: RegistryTarget, layerBytes: Buffer) {
  const config = Buffer.from('{"descriptor":{"name":"demo"},"modelfs":{"type":"layers","diffIds":[]}}');
  const configDesc = blobOf(config, 'application/vnd.cncf.model.config.v1+json');
  const layerDesc = blobOf(layerBytes);
  await t.push(configDesc, { kind: 'bytes', bytes: config });
  await t.push(layerDesc, {
    kind: 'stream',
    open: () => Readable.from([layerBytes.subarray(0, 1000), layerBytes.subarray(1000)]),
  });
  const manifest = manifestFor(configDesc, [layerDesc]);
  await t.pushManifest(manifest.desc, manifest.bytes, 'v1');
  return { configDesc, layerDesc, manifest };
}

describe('RegistryTarget push and fetch through each auth setup', () => {
  for (const auth of ['none', 'htpasswd', 'token'] as const) {
    it(`${auth}: blobs + manifest round-trip with exact bytes and digests`, async () => {
      const reg = await registry(auth);
      const statuses: number[] = [];
      const t = target(reg, 'ns/model', { onResponse: (e) => statuses.push(e.status) });
      const layer = randomBytes(300_000);
      const { layerDesc, manifest } = await pushArtifact(t, layer);
      expect(t.stats.blobsUploaded).toBe(2);

      const resolved = await t.resolve('v1');
      expect(resolved).toEqual({
        ...manifest.desc,
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
      });
      const fetched = await t.fetchManifest('v1');
      expect(fetched.bytes.equals(manifest.bytes)).toBe(true);
      const back = await readAll(verifyingStream(await t.fetch(layerDesc), layerDesc));
      expect(back.equals(layer)).toBe(true);
      expect(await t.exists(layerDesc)).toBe(true);
      expect(await t.exists(manifest.desc)).toBe(true);
      expect(await t.exists(blobOf(Buffer.from('absent')))).toBe(false);

      // Re-push: HEAD says present, nothing is uploaded again.
      await t.push(layerDesc, { kind: 'stream', open: () => Readable.from([layer]) });
      expect(t.stats.blobsSkipped).toBe(1);
      expect(t.stats.blobsUploaded).toBe(2);
      // the same request trace in every mode (HEAD 404, POST 202, PUT 201 per blob, manifest PUT, then
      // the reads); with auth, exactly one 401 in front of it, after which credentials go along
      const trace = [404, 202, 201, 404, 202, 201, 201, 200, 200, 200, 200, 200, 404, 200];
      expect(statuses).toEqual(auth === 'none' ? trace : [401, ...trace]);
      if (auth !== 'token') expect(reg.tokenServer).toBeUndefined();
      if (auth === 'token') {
        // Tokens are cached per scope set: one for pull, one for pull+push, for all of the above.
        expect(reg.tokenServer!.requests.map((r) => [r.user, r.via, r.service, r.scopes])).toEqual([
          ['modelseal', 'basic', 'modelseal-test-registry', ['repository:ns/model:pull']],
          ['modelseal', 'basic', 'modelseal-test-registry', ['repository:ns/model:pull,push']],
        ]);
      }
    });
  }

  it('push() recognises manifests by media type, also from a stream source', async () => {
    const reg = await registry('none');
    const t = target(reg, 'ns/streamed');
    const config = Buffer.from('{}');
    const configDesc = blobOf(config, 'application/vnd.oci.empty.v1+json');
    await t.push(configDesc, { kind: 'bytes', bytes: config });
    const m = manifestFor(configDesc, []);
    await t.push(m.desc, {
      kind: 'stream',
      open: () => Readable.from([m.bytes.subarray(0, 10), m.bytes.subarray(10)]),
    });
    const back = await t.fetchManifest(m.desc.digest);
    expect(back.bytes.equals(m.bytes)).toBe(true);
    expect((await readAll(await t.fetch(m.desc))).equals(m.bytes)).toBe(true);
    const wrong = { ...m.desc, digest: blobOf(Buffer.from('other')).digest };
    await expect(t.push(wrong, { kind: 'bytes', bytes: m.bytes })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });

  it('missing manifest is NOT_FOUND with a one-line message', async () => {
    const reg = await registry('none');
    const t = target(reg, 'ns/model');
    await expect(t.resolve('nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `registry ${reg.host} refused pull of manifest nope from ns/model: 404 MANIFEST_UNKNOWN (manifest unknown)`,
    });
  });
});

describe('RegistryTarget auth failures', () => {
  it('htpasswd: a wrong password is REGISTRY_AUTH with a clean message and no secret', async () => {
    const reg = await registry('htpasswd');
    const secret = 'wrong-Secret-123';
    const t = target(reg, 'ns/model', { credentials: { username: 'modelseal', password: secret } });
    const bytes = Buffer.from('hello');
    const err = await rejectionOf(t.push(blobOf(bytes), { kind: 'bytes', bytes }));
    expect(err.code).toBe('REGISTRY_AUTH');
    expect(err.message).toBe(
      `registry ${reg.host} refused check of blob ${blobOf(bytes).digest.slice(0, 19)}… in ns/model: 401 (Unauthorized)`,
    );
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err)).not.toContain(secret);
  });

  it('htpasswd: no credentials at all is REGISTRY_AUTH', async () => {
    const reg = await registry('htpasswd');
    const t = target(reg, 'ns/model', { credentials: {} });
    await expect(t.resolve('v1')).rejects.toMatchObject({ code: 'REGISTRY_AUTH' });
  });

  it('token: a wrong password is REGISTRY_AUTH naming the user, never the password', async () => {
    const reg = await registry('token');
    const t = target(reg, 'ns/model', { credentials: { username: 'modelseal', password: 'bad-pass-xyz' } });
    const err = await rejectionOf(t.resolve('v1'));
    expect(err.code).toBe('REGISTRY_AUTH');
    expect(err.message).toBe(
      `registry ${reg.host} token service ${new URL(reg.tokenServer!.realm).origin} rejected the credentials of user "modelseal": 401`,
    );
    expect(err.message).not.toContain('bad-pass-xyz');
  });

  it('token: the read-only user can pull but cannot push', async () => {
    const reg = await registry('token');
    const writer = target(reg, 'ns/model');
    const { layerDesc } = await pushArtifact(writer, randomBytes(5000));
    const events: ResponseEvent[] = [];
    const reader = target(reg, 'ns/model', {
      credentials: { username: reg.readOnlyUsername, password: reg.readOnlyPassword },
      onResponse: (e) => events.push(e),
    });
    expect((await reader.resolve('v1')).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(await reader.exists(layerDesc)).toBe(true);
    const bytes = randomBytes(100);
    const err = await rejectionOf(reader.push(blobOf(bytes), { kind: 'bytes', bytes }));
    expect(err.code).toBe('REGISTRY_AUTH');
    expect(err.message).toBe(
      `registry ${reg.host} refused push of blob ${blobOf(bytes).digest.slice(0, 19)}… to ns/model: 401 UNAUTHORIZED (authentication required)`,
    );
    // One retry with a fresh token, then a clear failure (no backoff loop on a permission error).
    expect(events.filter((e) => e.method === 'POST').map((e) => e.status)).toEqual([401, 401]);
  });
});

describe('RegistryTarget upload paths', () => {
  it('skopeo inspect --raw returns our exact manifest bytes', async () => {
    const reg = await registry('none');
    const t = target(reg, 'ns/skopeo');
    const { manifest } = await pushArtifact(t, randomBytes(2048));
    const home = mkdtempSync(join(tmpdir(), 'modelseal-skopeo-'));
    try {
      const { stdout } = await run(
        'skopeo',
        ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/ns/skopeo:v1`],
        {
          env: { PATH: process.env.PATH, HOME: home },
          encoding: 'buffer',
          timeout: 60_000,
        },
      );
      expect(Buffer.from(stdout).equals(manifest.bytes)).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('monolithic: one POST and one PUT, no PATCH', async () => {
    const reg = await registry('none');
    const events: ResponseEvent[] = [];
    const t = target(reg, 'ns/mono', { onResponse: (e) => events.push(e) });
    const layer = randomBytes(200_000);
    const desc = blobOf(layer);
    await t.push(desc, { kind: 'stream', open: () => Readable.from([layer]) });
    expect(events.map((e) => `${e.method} ${e.status}`)).toEqual(['HEAD 404', 'POST 202', 'PUT 201']);
    expect(events[2].path).toMatch(
      new RegExp(`^/v2/ns/mono/blobs/uploads/[0-9a-f-]{36}\\?digest=${encodeURIComponent(desc.digest)}$`),
    );
    const back = await readAll(verifyingStream(await t.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
  });

  it('chunked: PATCH chunks of the forced size, last chunk in the closing PUT', async () => {
    const reg = await registry('none');
    const events: ResponseEvent[] = [];
    const t = target(reg, 'ns/chunked', {
      chunkSize: 64 * 1024,
      chunkedThreshold: 0,
      onResponse: (e) => events.push(e),
    });
    const layer = randomBytes(64 * 1024 * 3 + 1234);
    const desc = blobOf(layer);
    await t.push(desc, {
      kind: 'stream',
      open: () => Readable.from([layer.subarray(0, 7), layer.subarray(7)]),
    });
    expect(events.map((e) => `${e.method} ${e.status}`)).toEqual([
      'HEAD 404',
      'POST 202',
      'PATCH 202',
      'PATCH 202',
      'PATCH 202',
      'PUT 201',
    ]);
    const back = await readAll(verifyingStream(await t.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
  });

  it('chunked: OCI-Chunk-Min-Length raises a smaller configured chunk size', async () => {
    const fake = await startFakeReferrersRegistry({ chunkMinLength: 64 * 1024 });
    const t = target({ host: fake.host } as RunningRegistry, 'ns/minchunk', {
      chunkSize: 1024,
      chunkedThreshold: 0,
      credentials: {},
    });
    try {
      const layer = randomBytes(200 * 1024);
      const desc = blobOf(layer);
      await t.push(desc, { kind: 'stream', open: () => Readable.from([layer]) });
      const uploads = fake.requests.filter((r) => r.includes('/blobs/uploads/'));
      expect(uploads.map((r) => r.split(' ')[0])).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH', 'PUT']);
      const back = await readAll(verifyingStream(await t.fetch(desc), desc));
      expect(back.equals(layer)).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('mount across repositories: 201, no upload', async () => {
    const reg = await registry('token');
    const source = target(reg, 'ns/source');
    const layer = randomBytes(100_000);
    const desc = blobOf(layer);
    await source.push(desc, { kind: 'bytes', bytes: layer });
    const events: ResponseEvent[] = [];
    const dest = target(reg, 'ns/dest', { onResponse: (e) => events.push(e) });
    expect(await dest.pushBlob(desc, { kind: 'bytes', bytes: layer }, { mountFrom: 'ns/source' })).toBe(
      'mounted',
    );
    const final = events.filter((e) => e.status !== 401);
    expect(final.map((e) => `${e.method} ${e.status}`)).toEqual(['POST 201']);
    expect(final[0].path).toBe(
      `/v2/ns/dest/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=ns%2Fsource`,
    );
    expect(dest.stats).toMatchObject({ blobsMounted: 1, blobsUploaded: 0, bytesUploaded: 0 });
    expect(reg.tokenServer!.requests.at(-1)!.scopes.sort()).toEqual([
      'repository:ns/dest:pull,push',
      'repository:ns/source:pull',
    ]);
    const back = await readAll(verifyingStream(await dest.fetch(desc), desc));
    expect(back.equals(layer)).toBe(true);
    // A mount of a blob the source does not have falls back to false (the opened session is cancelled).
    const other = blobOf(randomBytes(10));
    expect(await dest.mountFrom(other, 'ns/source')).toBe(false);
  });
});
