// Issue 22 #8: a soak. 200 pulls of a small model from a real docker-registry behind a proxy that,
// on a seeded 35 % of requests, drops the connection before answering, resets it mid-body, answers
// 503, trickles the body slowly, or sends half the declared body and closes. 8 pulls run at once, in
// the library. Every pull lands complete with the exact bytes or fails with a stable code; no staging
// directory is left; the process has as many open file descriptors after as before
// (/proc/self/fd); memory does not grow from the first 40 pulls to the last.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isModelsealError } from '../../packages/core/src/errors.js';
import { pullModel } from '../../packages/core/src/oci/pull-model.js';
import { pushModel } from '../../packages/core/src/oci/push-model.js';
import { RegistryTarget } from '../../packages/core/src/oci/registry/registry-target.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';

const PULLS = 200;
const PARALLEL = 8;
const FAULTS = ['drop', 'reset', '503', 'slow', 'truncate'] as const;
type FaultName = (typeof FAULTS)[number];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A proxy injecting a random fault into a share of the requests; counts what it did. */
async function startChaosProxy(upstream: string, seed: number, share: number) {
  const [host, port] = upstream.split(':') as [string, string];
  const random = prng(seed);
  const injected: Record<FaultName, number> = { drop: 0, reset: 0, '503': 0, slow: 0, truncate: 0 };
  let requests = 0;
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true }); // the proxy's own upstream sockets, destroyed on close
  const server: Server = createServer((req, res) => {
    requests++;
    const fault = random() < share ? FAULTS[Math.floor(random() * FAULTS.length)] : undefined;
    if (fault) injected[fault]++;
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === '503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return;
    }
    const up = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        if (fault === 'reset' || fault === 'truncate') {
          const declared = Number(r.headers['content-length'] ?? '0');
          let sent = 0;
          r.on('data', (c: Buffer) => {
            const room = Math.max(0, Math.floor(declared / 2) - sent);
            if (room > 0) res.write(c.subarray(0, room));
            sent += Math.min(room, c.length);
            if (sent >= Math.floor(declared / 2)) {
              r.destroy();
              // reset: cut the connection; truncate: end the socket cleanly (a FIN after half the body)
              if (fault === 'reset') res.socket?.resetAndDestroy();
              else res.socket?.end();
            }
          });
          r.on('end', () => res.socket?.end());
          return;
        }
        if (fault === 'slow') {
          r.on('data', (c: Buffer) => {
            r.pause();
            setTimeout(() => {
              res.write(c);
              r.resume();
            }, 30);
          });
          r.on('end', () => setTimeout(() => res.end(), 30));
          return;
        }
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-soak-'));
let reg: RunningRegistry;
const files: Record<string, Buffer> = {
  'config.json': Buffer.from('{"model_type":"soak"}\n'),
  'model.safetensors': randomBytes(48 * 1024),
  'tokenizer.json': randomBytes(6 * 1024),
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const openFds = () => readdirSync('/proc/self/fd').length;

beforeAll(async () => {
  reg = await startRegistry({ auth: 'none' });
  const model = path.join(tmp, 'model');
  mkdirSync(model);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(model, name), bytes);
  await pushModel(model, `${reg.host}/soak/model:v1`, { jobs: 1 });
}, 60_000);
afterAll(async () => {
  await reg?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('soak: 200 pulls through a fault proxy, 8 at a time (issue 22 #8)', () => {
  it('each pull lands complete and verified or fails with a code; no staging, no fd leak, flat memory', async () => {
    const fdsBefore = openFds();
    const proxy = await startChaosProxy(reg.host, 22, 0.35);
    const target = new RegistryTarget({
      registry: proxy.host,
      repository: 'soak/model',
      credentials: {},
      retry: { minDelayMs: 5, maxDelayMs: 40 },
      timeouts: { headersMs: 2000, idleMs: 2000, operationMs: 8000 },
    });
    const out = path.join(tmp, 'pulled');
    mkdirSync(out);
    const landed: string[] = [];
    const failures: Record<string, number> = {};
    const untyped: unknown[] = [];
    let rssAfterFirst = 0;
    let next = 0;
    const t0 = Date.now();
    const worker = async () => {
      for (let i = next++; i < PULLS; i = next++) {
        const dest = path.join(out, `m${i}`);
        try {
          await pullModel(target, dest, { reference: 'v1', concurrency: 2 });
          for (const [name, bytes] of Object.entries(files))
            expect(sha(readFileSync(path.join(dest, name))), `${dest}/${name}`).toBe(sha(bytes));
          landed.push(`m${i}`);
        } catch (e) {
          if (isModelsealError(e)) failures[e.code] = (failures[e.code] ?? 0) + 1;
          else untyped.push(e);
        }
        if (i === 40) rssAfterFirst = process.memoryUsage().rss;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const seconds = (Date.now() - t0) / 1000;
    target.close();
    await proxy.close();
    await new Promise((r) => setTimeout(r, 200)); // let closed sockets release their descriptors
    const rssGrowthMiB = (process.memoryUsage().rss - rssAfterFirst) / 1024 / 1024;
    const fdsAfter = openFds();
    console.log(
      `soak: ${PULLS} pulls in ${seconds.toFixed(1)} s, ${proxy.requests()} requests, faults ${JSON.stringify(proxy.injected)}; ` +
        `landed ${landed.length}, failed ${JSON.stringify(failures)}; fds ${fdsBefore} -> ${fdsAfter}; RSS growth after pull 40: ${rssGrowthMiB.toFixed(1)} MiB`,
    );
    expect(untyped).toEqual([]);
    expect(landed.length + Object.values(failures).reduce((a, b) => a + b, 0)).toBe(PULLS);
    for (const f of FAULTS) expect(proxy.injected[f], `fault ${f} was tried`).toBeGreaterThan(0);
    expect(landed.length).toBeGreaterThan(PULLS / 2); // retries carry most pulls through
    // nothing but the complete pulls: no staging directory, no half DEST
    expect(readdirSync(out).sort()).toEqual([...landed].sort());
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore);
    expect(rssGrowthMiB).toBeLessThan(64);
  }, 120_000);
});
