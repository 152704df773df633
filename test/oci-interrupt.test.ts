// SIGINT / SIGTERM during `modelseal pull` of a large artifact from a real registry: the CLI process is
// killed halfway through the big layer (a proxy holds the rest back), removes its staging directory,
// leaves DEST as it was and exits 130 / 143 with one line saying what was interrupted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const BIG = 48 << 20;
const HALF = 24 << 20;
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-interrupt-'));

/** A proxy to `upstream` that sends only the first `limit` bytes of GETs of blob `digest`, then stalls. */
async function stallingProxy(
  upstream: string,
  digest: string,
  limit: number,
): Promise<{ host: string; server: Server }> {
  const [host, port] = upstream.split(':') as [string, string];
  const server = createServer((req, res) => {
    const up = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (u) => {
        res.writeHead(u.statusCode ?? 502, u.headers);
        if (req.method !== 'GET' || !req.url?.endsWith(`/blobs/${digest}`)) {
          u.pipe(res);
          return;
        }
        let sent = 0;
        u.on('data', (c: Buffer) => {
          if (sent >= limit) return;
          const part = c.subarray(0, Math.min(c.length, limit - sent));
          sent += part.length;
          res.write(part);
          if (sent >= limit) u.pause();
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let reg: RunningRegistry;
let proxy: { host: string; server: Server };

beforeAll(async () => {
  reg = await startRegistry({ auth: 'none' });
  const model = path.join(tmp, 'model');
  mkdirSync(model);
  writeFileSync(path.join(model, 'big.safetensors'), randomBytes(BIG));
  writeFileSync(path.join(model, 'config.json'), '{"hidden":8}');
  const pushed = await pushModel(model, `${reg.host}/interrupt/model:v1`);
  const big = pushed.layers.find((l) => l.path === 'big.safetensors')!;
  proxy = await stallingProxy(reg.host, big.digest, HALF);
}, 120_000);

afterAll(async () => {
  proxy?.server.closeAllConnections();
  await new Promise((r) => proxy?.server.close(r));
  await reg?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Sizes of every file below `dir` (recursive), including hidden staging directories. */
function filesBelow(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath, e.name);
      out.set(path.relative(dir, p), statSync(p).size);
    }
  }
  return out;
}

async function pullAndKill(parent: string, dest: string, signal: 'SIGINT' | 'SIGTERM') {
  const child = spawn(process.execPath, [BIN, 'pull', `${proxy.host}/interrupt/model:v1`, dest], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Wait until half of the big layer is on disk in staging.
  const deadline = Date.now() + 60_000;
  let partial = 0;
  while (Date.now() < deadline && partial < HALF - (2 << 20)) {
    await new Promise((r) => setTimeout(r, 50));
    partial = Math.max(
      0,
      ...[...filesBelow(parent)].filter(([p]) => p.endsWith('big.safetensors')).map(([, s]) => s),
    );
  }
  expect(partial).toBeGreaterThanOrEqual(HALF - (2 << 20));
  expect(partial).toBeLessThan(BIG);
  child.kill(signal);
  const code = await exited;
  return { code, stderr };
}

describe('interrupting a pull', () => {
  it('SIGINT halfway through a 48 MiB layer: exit 130, no staging left, DEST never created', async () => {
    const parent = path.join(tmp, 'int');
    mkdirSync(parent);
    const dest = path.join(parent, 'dest');
    const r = await pullAndKill(parent, dest, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('modelseal:'))).toEqual([
      `modelseal: interrupted by SIGINT: pull of ${proxy.host}/interrupt/model:v1 stopped; staging removed, ${dest} left as it was`,
    ]);
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(dest)).toBe(false);
  }, 90_000);

  it('SIGTERM with an existing empty DEST: exit 143, DEST still empty with its mode', async () => {
    const parent = path.join(tmp, 'term');
    const dest = path.join(parent, 'dest');
    mkdirSync(dest, { recursive: true, mode: 0o700 });
    const r = await pullAndKill(parent, dest, 'SIGTERM');
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('modelseal: interrupted by SIGTERM: pull of');
    expect(readdirSync(parent)).toEqual(['dest']);
    expect(readdirSync(dest)).toEqual([]);
    expect(statSync(dest).mode & 0o777).toBe(0o700);
  }, 90_000);
});
