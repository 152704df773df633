// Issue 22 #1-#2 through the CLI: SIGTERM / SIGINT end a pull stuck on a registry that never
// answers or trickles one header byte every 3 s within 1 s (exit 143 / 130, nothing staged, DEST as
// it was), and MODELSEAL_TIMEOUT bounds the whole pull like --timeout. Real processes and sockets.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt, BIN } from '../hardening/cli-process.js';
import { startStallServer, type HostileServer } from './hostile-servers.js';

const box = cliSandbox('ms-stalled-pull-');
const servers: HostileServer[] = [];
const helperPids: number[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const pid of helperPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
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

describe('the 3 s backstop: the first SIGTERM ends the process even where the abort cannot reach', () => {
  it('a pull stuck in a Docker credential helper that never answers: exit 143 at 3 s, nothing staged, DEST absent', async () => {
    ensureBuilt();
    // A registry that wants Basic credentials: the pull asks the Docker config's credential helper.
    const registry = createServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
    try {
      // The helper records its pid, then blocks (a child process: no AbortSignal reaches it; core
      // kills it only after its own 15 s limit).
      const bin = path.join(box.dir, 'helper-bin');
      const dockerConfig = path.join(box.dir, 'docker-config');
      const started = path.join(box.dir, 'helper-started');
      mkdirSync(bin);
      mkdirSync(dockerConfig);
      writeFileSync(
        path.join(bin, 'docker-credential-stall'),
        `#!/bin/sh\necho $$ > '${started}'\nexec sleep 60\n`,
        {
          mode: 0o755,
        },
      );
      writeFileSync(
        path.join(dockerConfig, 'config.json'),
        JSON.stringify({ credHelpers: { [host]: 'stall' } }),
      );
      const parent = path.join(box.dir, 'backstop');
      mkdirSync(parent);
      const dest = path.join(parent, 'dest');
      const child = spawn(process.execPath, [BIN, 'pull', `${host}/ns/m:v1`, dest], {
        cwd: box.dir,
        env: { ...process.env, DOCKER_CONFIG: dockerConfig, PATH: `${bin}:${process.env.PATH ?? ''}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const until = Date.now() + 20_000;
      while (!existsSync(started) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const helperPid = Number(readFileSync(started, 'utf8').trim());
      helperPids.push(helperPid);
      await new Promise((r) => setTimeout(r, 200)); // the helper is blocked
      const t0 = performance.now();
      child.kill('SIGTERM');
      const code = await exited;
      const ms = performance.now() - t0;
      expect(code).toBe(143);
      expect(ms).toBeGreaterThanOrEqual(2900);
      expect(ms).toBeLessThan(3500);
      expect(stderr).toBe('modelseal: interrupted by SIGTERM: still blocked after 3000 ms, exiting\n');
      // stuck before anything was staged: no staging directory beside DEST, no DEST
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      await new Promise<void>((r) => registry.close(() => r()));
    }
  }, 30_000);
});
