// SIGINT / SIGTERM while `modelseal sign`, `verify` or `hash` hashes a big model (an 8 GiB sparse
// file, so the hash takes seconds): the signal is sent once the process has read 512 MiB (from
// /proc/PID/io, no sleeps), and the CLI stops at once with 130 / 143 and one line saying what
// stopped; sign leaves no signature and no temporary file.
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const KEY = path.join(repo, 'fixtures/keys/test.key');
const PUB = path.join(repo, 'fixtures/keys/test.pub');
const ENV = { ...process.env, COSIGN_PASSWORD: 'modelseal-test' };
const BIG = 8 * 2 ** 30;
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-int-hash-'));
const model = path.join(tmp, 'model');
const otherSig = path.join(tmp, 'other.sig');

beforeAll(() => {
  mkdirSync(model);
  writeFileSync(path.join(model, 'weights.bin'), '');
  truncateSync(path.join(model, 'weights.bin'), BIG); // sparse: no disk used, reads as zeros
  // A valid signature over a small model with the same file name: verify checks it, then hashes
  // the 8 GiB file (and would report TAMPERED_FILE if it got that far).
  const small = path.join(tmp, 'small');
  mkdirSync(small);
  writeFileSync(path.join(small, 'weights.bin'), 'w');
  const s = spawnSync(process.execPath, [BIN, 'sign', small, '--key', KEY, '--signature', otherSig], {
    env: ENV,
  });
  expect(s.status).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bytes the process has read so far (all its threads), from /proc/PID/io. */
function bytesRead(pid: number): number {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // exited already
  }
}

async function runAndSignal(args: string[], signal: 'SIGINT' | 'SIGTERM') {
  const child = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let read = 0;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && read < 512 * 2 ** 20;) {
    await new Promise((r) => setTimeout(r, 20));
    read = bytesRead(child.pid!);
  }
  expect(read).toBeGreaterThanOrEqual(512 * 2 ** 20);
  child.kill(signal);
  const t0 = Date.now();
  const code = await exited;
  return { code, stdout, stderr, ms: Date.now() - t0, read };
}

describe('interrupting a hash', () => {
  it('sign + SIGINT mid-hash: exit 130, one line, no signature and no temporary file', async () => {
    const r = await runAndSignal(['sign', model, '--key', KEY], 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `modelseal: interrupted by SIGINT: sign of ${model} stopped; no signature written\n`,
    );
    expect(readdirSync(model)).toEqual(['weights.bin']);
    expect(readdirSync(tmp).sort()).toEqual(['model', 'other.sig', 'small']);
  }, 90_000);

  it('verify + SIGTERM mid-hash: exit 143 and one line, no verdict', async () => {
    const r = await runAndSignal(
      ['verify', model, '--key', PUB, '--signature', otherSig, '--json'],
      'SIGTERM',
    );
    expect(r.code).toBe(143);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`modelseal: interrupted by SIGTERM: verify of ${model} stopped\n`);
  }, 90_000);

  it('hash + SIGINT mid-hash: exit 130 and one line', async () => {
    const r = await runAndSignal(['hash', model, '--jobs', '1'], 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`modelseal: interrupted by SIGINT: hash of ${model} stopped\n`);
  }, 90_000);
});
