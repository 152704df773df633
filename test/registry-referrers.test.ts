// Referrers through RegistryTarget: the native API against a fake registry over a real socket, and
// the `sha256-<hex>` fallback tag index against docker-registry 2.8 (concurrent writers, lost updates).

import { describe, it, expect, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import {
  RegistryTarget,
  type RegistryTargetOptions,
} from '../packages/core/src/oci/registry/registry-target.js';
import type { Descriptor } from '../packages/core/src/oci/target.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import {
  startFakeReferrersRegistry,
  type FakeReferrersRegistry,
} from './registry/fake-referrers-registry.js';
import { startFaultProxy, type FaultProxy } from './registry/fault-proxy.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const CDX = 'application/vnd.cyclonedx+json';
const EMPTY = Buffer.from('{}');

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}
function desc(bytes: Buffer, mediaType: string): Descriptor {
  return { mediaType, digest: sha256(bytes), size: bytes.length };
}
function manifest(body: Record<string, unknown>): { desc: Descriptor; bytes: Buffer } {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, ...body }));
  return { desc: desc(bytes, MANIFEST), bytes };
}

const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

function target(
  host: string,
  repository: string,
  extra: Partial<RegistryTargetOptions> = {},
): RegistryTarget {
  const t = new RegistryTarget({
    registry: host,
    repository,
    credentials: {},
    retry: { minDelayMs: 10, maxDelayMs: 50 },
    ...extra,
  });
  closers.push(() => t.close());
  return t;
}

/** Push a small subject artifact; return its manifest descriptor. */
async function pushSubject(t: RegistryTarget): Promise<Descriptor> {
  const layer = randomBytes(512);
  const configDesc = desc(EMPTY, 'application/vnd.oci.empty.v1+json');
  const layerDesc = desc(layer, 'application/vnd.cncf.model.weight.v1.raw');
  await t.push(configDesc, { kind: 'bytes', bytes: EMPTY });
  await t.push(layerDesc, { kind: 'bytes', bytes: layer });
  const m = manifest({
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    config: configDesc,
    layers: [layerDesc],
  });
  await t.pushManifest(m.desc, m.bytes, 'v1');
  return m.desc;
}

/** Push a referrer (empty config, one layer) of `artifactType` with annotations; return its index entry. */
async function pushReferrer(
  t: RegistryTarget,
  subject: Descriptor,
  artifactType: string,
  note: string,
): Promise<Descriptor> {
  const payload = Buffer.from(JSON.stringify({ note }));
  const configDesc = desc(EMPTY, 'application/vnd.oci.empty.v1+json');
  const layerDesc = desc(payload, artifactType);
  await t.push(configDesc, { kind: 'bytes', bytes: EMPTY });
  await t.push(layerDesc, { kind: 'bytes', bytes: payload });
  const annotations = { 'dev.sigstore.bundle.content': 'dsse-envelope', 'org.example.note': note };
  const m = manifest({ artifactType, config: configDesc, layers: [layerDesc], subject, annotations });
  await t.push(m.desc, { kind: 'bytes', bytes: m.bytes });
  return { ...m.desc, artifactType, annotations };
}

const byDigest = (a: Descriptor, b: Descriptor) => a.digest.localeCompare(b.digest);

describe('native referrers API (fake registry)', () => {
  it('with OCI-Subject: lists referrers with artifactType + annotations, filters, writes no fallback tag', async () => {
    const fake: FakeReferrersRegistry = await startFakeReferrersRegistry();
    closers.push(() => fake.close());
    const t = target(fake.host, 'ns/model');
    const subject = await pushSubject(t);
    const sig = await pushReferrer(t, subject, BUNDLE, 'signature');
    const sbom = await pushReferrer(t, subject, CDX, 'sbom');
    expect((await t.referrers(subject)).sort(byDigest)).toEqual([sig, sbom].sort(byDigest));
    expect(await t.referrers(subject, CDX)).toEqual([sbom]);
    expect(fake.requests).toContain(
      `GET /v2/ns/model/referrers/${subject.digest}?artifactType=${encodeURIComponent(CDX)}`,
    );
    const fallback = `sha256-${subject.digest.slice(7)}`;
    expect(fake.manifestRefs('ns/model')).not.toContain(fallback);
    // OCI-Subject proved support: no probe of the referrers API during the pushes.
    expect(fake.requests.filter((r) => r.includes(`/referrers/sha256:${'0'.repeat(64)}`))).toEqual([]);
  });

  it('without OCI-Subject: probes the API once, follows Link pagination, still no fallback tag', async () => {
    const fake = await startFakeReferrersRegistry({ sendOciSubject: false, pageSize: 1 });
    closers.push(() => fake.close());
    const t = target(fake.host, 'ns/model');
    const subject = await pushSubject(t);
    const a = await pushReferrer(t, subject, BUNDLE, 'one');
    const b = await pushReferrer(t, subject, BUNDLE, 'two');
    const c = await pushReferrer(t, subject, CDX, 'three');
    expect(fake.requests.filter((r) => r.includes(`/referrers/sha256:${'0'.repeat(64)}`))).toHaveLength(1);
    expect(fake.manifestRefs('ns/model')).not.toContain(`sha256-${subject.digest.slice(7)}`);
    expect((await t.referrers(subject)).sort(byDigest)).toEqual([a, b, c].sort(byDigest));
    expect((await t.referrers(subject, BUNDLE)).sort(byDigest)).toEqual([a, b].sort(byDigest));
    expect(
      fake.requests.filter((r) => r.startsWith(`GET /v2/ns/model/referrers/${subject.digest}`)).length,
    ).toBeGreaterThanOrEqual(3 + 2);
  });
});

describe('fallback tag index (docker-registry 2.8)', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;

  async function setup(): Promise<void> {
    if (reg) return;
    reg = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy(reg.host);
    closers.push(
      () => reg.close(),
      () => proxy.close(),
    );
  }

  it('two referrers written concurrently by two clients both end up in the index', async () => {
    await setup();
    const writer = target(reg.host, 'ns/fallback');
    const subject = await pushSubject(writer);
    const one = target(reg.host, 'ns/fallback');
    const two = target(reg.host, 'ns/fallback');
    const [sig, sbom] = await Promise.all([
      pushReferrer(one, subject, BUNDLE, 'sig'),
      pushReferrer(two, subject, CDX, 'sbom'),
    ]);
    expect(await one.supportsReferrersApi()).toBe(false);

    const reader = target(reg.host, 'ns/fallback');
    expect((await reader.referrers(subject)).sort(byDigest)).toEqual([sig, sbom].sort(byDigest));
    expect(await reader.referrers(subject, BUNDLE)).toEqual([sig]);
    const index = await reader.fetchManifest(`sha256-${subject.digest.slice(7)}`);
    const parsed = JSON.parse(index.bytes.toString('utf8')) as {
      schemaVersion: number;
      mediaType: string;
      manifests: Descriptor[];
    };
    expect(parsed.schemaVersion).toBe(2);
    expect(parsed.mediaType).toBe(INDEX);
    expect(index.descriptor.mediaType).toBe(INDEX);
    expect(parsed.manifests.sort(byDigest)).toEqual([sig, sbom].sort(byDigest));
    // Re-pushing an already listed referrer leaves the index unchanged.
    const again = manifest(
      JSON.parse((await reader.fetchManifest(sig.digest)).bytes.toString('utf8')) as Record<string, unknown>,
    );
    await writer.push(again.desc, { kind: 'bytes', bytes: again.bytes });
    expect((await reader.fetchManifest(`sha256-${subject.digest.slice(7)}`)).descriptor.digest).toBe(
      index.descriptor.digest,
    );
  });

  it('a concurrent writer that replaces the index after our write is detected and merged', async () => {
    await setup();
    const t = target(proxy.host, 'ns/race');
    const subject = await pushSubject(t);
    const tag = `sha256-${subject.digest.slice(7)}`;
    const direct = target(reg.host, 'ns/race');
    // The other writer's referrer must exist: 2.8 refuses an index naming unknown manifests.
    const otherRef = manifest({
      artifactType: 'application/example',
      config: desc(EMPTY, 'application/vnd.oci.empty.v1+json'),
      layers: [],
    });
    await direct.pushManifest(otherRef.desc, otherRef.bytes);
    const foreign: Descriptor = { ...otherRef.desc, artifactType: 'application/example' };
    proxy.afterUpstream({ method: 'PUT', path: new RegExp(`/ns/race/manifests/${tag}$`) }, async () => {
      // Another client overwrites the index with its own entry only, before our re-read.
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [foreign] }));
      await direct.pushManifest(desc(bytes, INDEX), bytes, tag);
    });
    const sig = await pushReferrer(t, subject, BUNDLE, 'sig');
    const puts = proxy.log.filter((e) => e.method === 'PUT' && e.path.endsWith(`/manifests/${tag}`));
    expect(
      proxy.log.filter((e) => e.path.endsWith(`/manifests/${tag}`)).map((e) => `${e.method} ${e.status}`),
    ).toEqual(['GET 404', 'PUT 201', 'GET 200', 'GET 200', 'PUT 201', 'GET 200']);
    expect(puts).toHaveLength(2);
    expect((await direct.referrers(subject)).sort(byDigest)).toEqual([foreign, sig].sort(byDigest));
  });

  it('a tag holding something other than an index is not overwritten and reads as no referrers', async () => {
    await setup();
    const t = target(reg.host, 'ns/clash');
    const subject = await pushSubject(t);
    const other = manifest({ config: desc(EMPTY, 'application/vnd.oci.empty.v1+json'), layers: [] });
    await t.pushManifest(other.desc, other.bytes, `sha256-${subject.digest.slice(7)}`);
    expect(await t.referrers(subject)).toEqual([]);
    await expect(pushReferrer(t, subject, BUNDLE, 'sig')).rejects.toMatchObject({
      code: 'REGISTRY',
      message: `tag sha256-${subject.digest.slice(7)} in ${reg.host}/ns/clash holds something other than a referrers index; not overwriting it`,
    });
    expect((await t.fetchManifest(`sha256-${subject.digest.slice(7)}`)).bytes.equals(other.bytes)).toBe(true);
  });

  it('works the same through token auth (probe, index write, listing)', async () => {
    const treg = await startRegistry({ auth: 'token' });
    closers.push(() => treg.close());
    const t = target(treg.host, 'ns/authed', {
      credentials: { username: treg.username, password: treg.password },
    });
    const subject = await pushSubject(t);
    const sig = await pushReferrer(t, subject, BUNDLE, 'sig');
    const reader = target(treg.host, 'ns/authed', {
      credentials: { username: treg.readOnlyUsername, password: treg.readOnlyPassword },
    });
    expect(await reader.referrers(subject)).toEqual([sig]);
    expect(await reader.supportsReferrersApi()).toBe(false);
  });

  it('a subject without referrers has none', async () => {
    await setup();
    const t = target(reg.host, 'ns/lonely');
    const subject = await pushSubject(t);
    expect(await t.referrers(subject)).toEqual([]);
  });
});
