// Issue 22 #1-#2 through the CLI: SIGTERM / SIGINT end a pull stuck on a registry that never
// answers or trickles one header byte every 3 s within 1 s (exit 143 / 130, nothing staged, DEST as
// it was), and MODELSEAL_TIMEOUT bounds the whole pull like --timeout. Real processes and sockets.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt, BIN } from '../hardening/cli-process.js';
import { startStallServer, type HostileServer } from './hostile-servers.js';

const box = cliSandbox('ms-stalled-pull-');
const servers: HostileServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  box.cleanup();
});

/** Start `modelseal pull`, wait until the server has its request, send `signal`, time the exit. */
async function pullThenSignal(server: HostileServer, dest: string, signal: 'SIGTERM' | 'SIGINT') {
  ensureBuilt();
  const child = spawn(process.execPath, [BIN, 'pull', `${server.host}/ns/m:v1`, dest], {
    cwd: box.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const before = server.requests.length;
  const until = Date.now() + 20_000;
  while (server.requests.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(server.requests.slice(before)).toEqual(['GET /v2/ns/m/manifests/v1 HTTP/1.1']);
  await new Promise((r) => setTimeout(r, 300)); // well inside the stall
  const t0 = performance.now();
  child.kill(signal);
  const code = await exited;
  return { code, stderr, ms: performance.now() - t0 };
}

describe.each([
  ['never answers', 'silent'],
  ['trickles one header byte every 3 s', 'trickle'],
] as const)('a registry that %s', (_what, mode) => {
  it('SIGTERM ends the pull within 1 s: exit 143, no staging, DEST never created', async () => {
    const server = await startStallServer(mode, 3000);
    servers.push(server);
    const parent = path.join(box.dir, `${mode}-term`);
    mkdirSync(parent);
    const dest = path.join(parent, 'dest');
    const r = await pullThenSignal(server, dest, 'SIGTERM');
    expect(r.code).toBe(143);
    expect(r.ms).toBeLessThan(1000);
    expect(r.stderr).toBe(
      `modelseal: interrupted by SIGTERM: pull of ${server.host}/ns/m:v1 stopped; staging removed, ${dest} left as it was\n`,
    );
    expect(readdirSync(parent)).toEqual([]);
    const until = Date.now() + 1000;
    while (server.open() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(server.open()).toBe(0);
  }, 30_000);

  it('SIGINT with an existing empty DEST: exit 130 within 1 s, DEST still empty with its mode', async () => {
    const server = await startStallServer(mode, 3000);
    servers.push(server);
    const parent = path.join(box.dir, `${mode}-int`);
    const dest = path.join(parent, 'dest');
    mkdirSync(dest, { recursive: true, mode: 0o750 });
    const r = await pullThenSignal(server, dest, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(1000);
    expect(readdirSync(parent)).toEqual(['dest']);
    expect(readdirSync(dest)).toEqual([]);
    expect(statSync(dest).mode & 0o777).toBe(0o750);
  }, 30_000);
});

describe('MODELSEAL_TIMEOUT', () => {
  it('bounds a trickled manifest request like --timeout: one TIMEOUT line, exit 2, within seconds', async () => {
    const server = await startStallServer('trickle', 500);
    servers.push(server);
    const t0 = performance.now();
    const r = await box.runAsync(
      ['pull', `${server.host}/ns/m:v1`, path.join(box.dir, 'env-dest')],
      { MODELSEAL_TIMEOUT: '1.5' },
      30_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^modelseal: error\\[TIMEOUT\\]: registry ${server.host} did not finish within 1\\.5 s during pull of manifest v1 from ns/m; read \\d+ bytes of the response headers in 1\\.5 s; check the registry or raise the timeouts \\(--timeout SECONDS or MODELSEAL_TIMEOUT\\)\\n$`,
      ),
    );
    expect(server.connections()).toBe(1);
    expect(seconds).toBeLessThan(10);
  }, 30_000);

  it('a bad value is a usage error naming the variable', () => {
    const r = box.run(['inspect', '127.0.0.1:1/ns/m:v1'], { MODELSEAL_TIMEOUT: 'soon' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "modelseal: error[USAGE]: MODELSEAL_TIMEOUT must be a number of seconds from 0.001 to 3600, got 'soon'\n",
    );
  });
});
