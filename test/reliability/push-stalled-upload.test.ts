// Issue 22: a registry that accepts an upload and then stops reading it (or reads a trickle) cannot
// hold a push: the socket must take the body at the minimum rate (`minBytesPerSecond` over
// `rateWindowMs`, the pull side's option), else TIMEOUT naming the host, the blob being written and
// how long; one fresh upload, then the error; no manifest or tag is written. A real docker-registry
// behind a proxy that stalls the upload body; the same settings against the plain registry pass.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushModel } from '../../packages/core/src/oci/push-model.js';
import { RegistryTarget } from '../../packages/core/src/oci/registry/registry-target.js';
import { startFaultProxy, type FaultProxy } from '../registry/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';
import { rejectionOf } from '../rejection.js';

// 16 MiB: more than loopback's socket buffers absorb before the sender sees backpressure.
const WEIGHTS = randomBytes(16 * 1024 * 1024);
const WEIGHTS_DIGEST = `sha256:${createHash('sha256').update(WEIGHTS).digest('hex')}`;
const RATE = { minBytesPerSecond: 10 * 1024, rateWindowMs: 500 };

let reg: RunningRegistry;
let proxy: FaultProxy;
const tmp = mkdtempSync(join(tmpdir(), 'ms-push-stall-'));
const model = join(tmp, 'model');
// weights alone: every file layer of a chunked push goes up in PATCHes, and only big ones may stall
const weightsOnly = join(tmp, 'weights-only');
const targets: RegistryTarget[] = [];

beforeAll(async () => {
  reg = await startRegistry({ auth: 'none' });
  proxy = await startFaultProxy(reg.host);
  mkdirSync(model);
  writeFileSync(join(model, 'weights.bin'), WEIGHTS);
  writeFileSync(join(model, 'config.json'), '{"layers":2}');
  mkdirSync(weightsOnly);
  writeFileSync(join(weightsOnly, 'weights.bin'), WEIGHTS);
}, 60_000);
afterAll(async () => {
  for (const t of targets) t.close();
  await proxy?.close();
  await reg?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Status of GET `path` on the registry itself (not through the proxy). */
function registryStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${reg.url}${path}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

const uploadOfWeights = { path: new RegExp(`[?&]digest=${WEIGHTS_DIGEST.replace(':', '(:|%3A)')}`) };
const MESSAGE = (repo: string): RegExp =>
  new RegExp(
    `^registry ${proxy.host.replace(/\./g, '\\.')} took less than 10240 bytes/s of the upload over 500 ms during push of blob ${WEIGHTS_DIGEST.slice(0, 19)}… to ${repo}; it took \\d+ bytes of the request( \\(a body of ${WEIGHTS.length} bytes\\))? in [0-9.]+ (s|ms); check the registry or raise the timeouts$`,
  );

describe('a registry that stops reading an upload', () => {
  const stalls: [string, { afterBytes: number; bytesPerTick?: number; tickMs?: number }][] = [
    ['stops reading after 64 KiB', { afterBytes: 64 * 1024 }],
    ['reads 1 KiB every 250 ms (4 KiB/s)', { afterBytes: 64 * 1024, bytesPerTick: 1024, tickMs: 250 }],
  ];
  it.each(stalls)(
    'monolithic PUT, a registry that %s: TIMEOUT after one fresh upload, no manifest, no tag',
    async (_, stall) => {
      const repo = `stall/mono-${stall.bytesPerTick ?? 0}`;
      proxy.stallUpload({ method: 'PUT', ...uploadOfWeights }, { ...stall, count: 2 });
      const t0 = Date.now();
      const err = await rejectionOf(
        pushModel(model, `${proxy.host}/${repo}:v1`, { timeouts: RATE, concurrency: 1 }),
      );
      const took = Date.now() - t0;
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toMatch(MESSAGE(repo));
      // two uploads of the weights (the first, then one fresh one), each cancelled; never a manifest
      const puts = proxy.log.filter(
        (r) => r.method === 'PUT' && r.path.startsWith(`/v2/${repo}/`) && uploadOfWeights.path.test(r.path),
      );
      expect(puts.map((r) => r.fault)).toEqual(['stall-upload', 'stall-upload']);
      expect(proxy.log.filter((r) => r.path.startsWith(`/v2/${repo}/manifests/`))).toEqual([]);
      expect(await registryStatus(`/v2/${repo}/manifests/v1`)).toBe(404);
      expect(await registryStatus(`/v2/${repo}/tags/list`)).toBe(404);
      // two windows of no progress per upload once the socket buffers are full, not minutes
      expect(took).toBeLessThan(15_000);
    },
    60_000,
  );

  it('chunked PATCH upload (a 12 MiB chunk in flight): the same TIMEOUT, no manifest', async () => {
    const repo = 'stall/chunked';
    proxy.stallUpload(
      { method: 'PATCH', path: new RegExp(`^/v2/${repo}/blobs/uploads/`) },
      {
        afterBytes: 64 * 1024,
        count: 8,
      },
    );
    const target = new RegistryTarget({
      registry: proxy.host,
      repository: repo,
      credentials: {},
      timeouts: RATE,
      chunkedThreshold: 0,
      // one chunk bigger than loopback's socket buffers, so the stall is seen mid-body
      chunkSize: 12 * 1024 * 1024,
      retry: { minDelayMs: 10, maxDelayMs: 20 },
    });
    targets.push(target);
    const err = await rejectionOf(pushModel(weightsOnly, target, { tag: 'v1', concurrency: 1 }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(
      /took less than 10240 bytes\/s of the upload over 500 ms during push of blob sha256:/,
    );
    expect(err.message).toMatch(/it took \d+ bytes of the request \(a body of 12582912 bytes\)/);
    // the session tries a stalled chunk twice, the upload is restarted once: four stalled PATCHes
    const patches = proxy.log.filter((r) => r.method === 'PATCH' && r.path.startsWith(`/v2/${repo}/`));
    expect(patches.map((r) => r.fault)).toEqual(Array(4).fill('stall-upload'));
    expect(proxy.log.filter((r) => r.path.startsWith(`/v2/${repo}/manifests/`))).toEqual([]);
    expect(await registryStatus(`/v2/${repo}/manifests/v1`)).toBe(404);
  }, 60_000);

  it('the same 500 ms window against the registry reading at full speed: the push lands', async () => {
    const repo = 'stall/fast';
    const r = await pushModel(model, `${reg.host}/${repo}:v1`, { timeouts: RATE });
    expect(r.layers.find((l) => l.path === 'weights.bin')?.digest).toBe(WEIGHTS_DIGEST);
    expect(await registryStatus(`/v2/${repo}/manifests/v1`)).toBe(200);
    const chunked = new RegistryTarget({
      registry: reg.host,
      repository: `${repo}-chunked`,
      credentials: {},
      timeouts: RATE,
      chunkedThreshold: 0,
    });
    targets.push(chunked);
    await pushModel(weightsOnly, chunked, { tag: 'v1' });
    expect(await registryStatus(`/v2/${repo}-chunked/blobs/${WEIGHTS_DIGEST}`)).toBe(200);
  }, 60_000);
});
