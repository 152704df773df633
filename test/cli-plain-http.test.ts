// `--plain-http` through the CLI process against a real docker-registry. Plain HTTP is the default only
// for loopback *names* (localhost, 127.0.0.0/8, [::1]); the IPv4-mapped IPv6 address of the same
// registry is not one of them, so without the flag the CLI speaks TLS to it and fails closed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-plain-http-'));
const model = path.join(tmp, 'model');
mkdirSync(model);
writeFileSync(path.join(model, 'w.bin'), 'plain weights\n');
const WEIGHTS = createHash('sha256').update('plain weights\n').digest('hex');

let reg: RunningRegistry;
let mapped: string; // [::ffff:127.0.0.1]:PORT, the same socket under a non-loopback name
beforeAll(async () => {
  reg = await startRegistry({ auth: 'none' });
  mapped = `[::ffff:127.0.0.1]:${reg.host.split(':')[1]}`;
});
afterAll(async () => {
  await reg?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('--plain-http', () => {
  it('without it, a non-loopback registry name gets TLS: exit 2 REGISTRY (EPROTO), nothing pushed', () => {
    const r = runCli(['push', model, `${mapped}/flags/tls:v1`], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // the first request checks whether a blob (the config or the layer) is already there
    expect(r.stderr).toMatch(
      new RegExp(
        `^modelseal: error\\[REGISTRY\\]: registry ${mapped.replace(/[[\].]/g, '\\$&')} unreachable during check of blob sha256:[0-9a-f]{12}… in flags/tls: EPROTO\\n$`,
      ),
    );
    const inspect = runCli(['inspect', `${reg.host}/flags/tls:v1`], { cwd: tmp });
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toMatch(/^modelseal: error\[NOT_FOUND\]: /);
  });

  it('with it, push and pull speak plain HTTP to that name; the loopback name sees the same artifact', () => {
    const push = runCli(['push', model, `${mapped}/flags/plain:v1`, '--plain-http'], { cwd: tmp });
    expect(push.code, push.stderr).toBe(0);
    const [ref, digest] = push.stdout.trim().split('@');
    expect(ref).toBe(`${mapped}/flags/plain:v1`);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const pull = runCli(['pull', `${mapped}/flags/plain:v1`, 'out', '--plain-http'], { cwd: tmp });
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toBe(`${mapped}/flags/plain:v1@${digest}\n`);
    expect(readFileSync(path.join(tmp, 'out/w.bin'), 'utf8')).toBe('plain weights\n');
    const inspect = runCli(['inspect', `${reg.host}/flags/plain:v1`, '--json'], { cwd: tmp });
    expect(inspect.code, inspect.stderr).toBe(0);
    const j = JSON.parse(inspect.stdout) as { descriptor: { digest: string }; layers: { digest: string }[] };
    expect(j.descriptor.digest).toBe(digest);
    expect(j.layers.map((l) => l.digest)).toEqual([`sha256:${WEIGHTS}`]);
  });
});
