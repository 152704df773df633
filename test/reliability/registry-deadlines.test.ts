// Issue 22 #1-#2, library level: one deadline per registry operation across its retries, a host that
// timed out is retried once, blob bodies keep a minimum rate, TIMEOUT names host / what was read /
// how long, and an AbortSignal destroys the socket at once. Real sockets on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryTarget } from '../../packages/core/src/oci/registry/registry-target.js';
import type { NetworkTimeouts } from '../../packages/core/src/oci/registry/http-transport.js';
import { rejectionOf } from '../rejection.js';
import { startSlowBlobServer, startStallServer, type HostileServer } from './hostile-servers.js';

const servers: HostileServer[] = [];
const targets: RegistryTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) t.close();
  for (const s of servers.splice(0)) await s.close();
});

function target(host: string, timeouts: Partial<NetworkTimeouts>, signal?: AbortSignal): RegistryTarget {
  const t = new RegistryTarget({
    registry: host,
    repository: 'ns/m',
    credentials: {},
    timeouts,
    retry: { minDelayMs: 10, maxDelayMs: 20 },
    ...(signal ? { signal } : {}),
  });
  targets.push(t);
  return t;
}

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

describe('one deadline per operation', () => {
  it('a registry trickling one header byte every 1 s: TIMEOUT at the 2.5 s deadline, not after retries', async () => {
    const server = await startStallServer('trickle', 1000);
    servers.push(server);
    const t0 = Date.now();
    const err = await rejectionOf(target(server.host, { operationMs: 2500 }).resolve('v1'));
    const took = Date.now() - t0;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(
      new RegExp(
        `^registry ${server.host} did not finish within 2\\.5 s during pull of manifest v1 from ns/m; read (2[0-9]|3[0-9]) bytes of the response headers in 2\\.[5-9]( s|[0-9] s); check the registry or raise the timeouts$`,
      ),
    );
    expect(took).toBeGreaterThanOrEqual(2400);
    expect(took).toBeLessThan(4000);
    expect(server.connections()).toBe(1);
  }, 20_000);

  it('a silent registry: the headers timeout is retried once against that host, then TIMEOUT (2 attempts)', async () => {
    const server = await startStallServer('silent');
    servers.push(server);
    const t0 = Date.now();
    const err = await rejectionOf(target(server.host, { headersMs: 400 }).resolve('v1'));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(
      `registry ${server.host} did not answer within 400 ms during pull of manifest v1 from ns/m (2 attempts); nothing read in ${err.message.match(/in (\d+ ms);/)?.[1]}; check the registry or raise the timeouts`,
    );
    expect(server.requests).toEqual([
      'GET /v2/ns/m/manifests/v1 HTTP/1.1',
      'GET /v2/ns/m/manifests/v1 HTTP/1.1',
    ]);
    expect(Date.now() - t0).toBeLessThan(3000);
  }, 20_000);
});

describe('minimum blob body rate', () => {
  const blob = randomBytes(64 * 1024);

  it('a body at 2 KiB/s against a 10 KiB/s minimum over 500 ms windows: resumed once, then TIMEOUT', async () => {
    const server = await startSlowBlobServer(blob, 512, 250);
    servers.push(server);
    const t = target(server.host, { minBytesPerSecond: 10 * 1024, rateWindowMs: 500 });
    const desc = { mediaType: 'application/octet-stream', digest: server.digest, size: blob.length };
    const err = await rejectionOf(t.fetch(desc).then(drain));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(
      new RegExp(
        `^registry ${server.host} sent less than 10240 bytes/s over 500 ms during pull of blob sha256:[0-9a-f]{12}… from ns/m \\(2 attempts\\); read \\d+ bytes of the response in [0-9.]+ (s|ms); check the registry or raise the timeouts$`,
      ),
    );
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toBe(`GET /v2/ns/m/blobs/${server.digest}`);
    expect(server.requests[1]).toMatch(new RegExp(`^GET /v2/ns/m/blobs/${server.digest} bytes=\\d+-$`));
  }, 20_000);

  it('the same minimum is kept by a body at 64 KiB/s: the blob arrives whole', async () => {
    const server = await startSlowBlobServer(blob, 8 * 1024, 125);
    servers.push(server);
    const t = target(server.host, { minBytesPerSecond: 10 * 1024, rateWindowMs: 500 });
    const desc = { mediaType: 'application/octet-stream', digest: server.digest, size: blob.length };
    expect(await drain(await t.fetch(desc))).toBe(blob.length);
    expect(server.requests).toHaveLength(1);
  }, 20_000);
});

describe('abort', () => {
  it.each(['silent', 'trickle'] as const)(
    'a %s registry: the signal rejects the request at once and closes its socket',
    async (mode) => {
      const server = await startStallServer(mode, 3000);
      servers.push(server);
      const controller = new AbortController();
      const pending = target(server.host, {}, controller.signal).resolve('v1');
      while (server.connections() === 0 || server.requests.length === 0)
        await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      controller.abort();
      const err = await pending.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.name).toBe('AbortError');
      expect(Date.now() - t0).toBeLessThan(200);
      const deadline = Date.now() + 1000;
      while (server.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(server.open()).toBe(0);
      expect(server.connections()).toBe(1);
    },
    10_000,
  );

  it('a blob body in flight: destroyed at once by the signal', async () => {
    const blob = randomBytes(64 * 1024);
    const server = await startSlowBlobServer(blob, 1024, 1000);
    servers.push(server);
    const controller = new AbortController();
    const t = target(server.host, {}, controller.signal);
    const desc = { mediaType: 'application/octet-stream', digest: server.digest, size: blob.length };
    const reading = t.fetch(desc).then(drain);
    while (server.open() === 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    controller.abort();
    const err = await reading.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('AbortError');
    expect(Date.now() - t0).toBeLessThan(200);
    const deadline = Date.now() + 1000;
    while (server.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(server.open()).toBe(0);
  }, 10_000);
});
