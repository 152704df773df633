// `modelseal watch` as a real process on a signed 2 GiB model (a sparse file: the bytes are hashed like
// any others, without using 2 GiB of disk): --once exit codes, --exec, JSON lines while watching, and
// the CPU an idle watch uses, read from /proc/PID/stat.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
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
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-watch-cli-'));
const model = path.join(tmp, 'model');
const GIB2 = 2 * 1024 ** 3;
const children: ChildProcess[] = [];

function modelseal(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, cwd: tmp });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** user + system CPU seconds of `pid` so far (fields 14 and 15 of /proc/PID/stat, in clock ticks). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

beforeAll(() => {
  mkdirSync(model);
  writeFileSync(path.join(model, 'config.json'), '{"a": 1}\n');
  writeFileSync(path.join(model, 'model.safetensors'), '');
  truncateSync(path.join(model, 'model.safetensors'), GIB2);
  expect(modelseal(['keygen', '--output-prefix', 'k', '--no-encrypt']).code).toBe(0);
  const signed = modelseal(['sign', 'model', '--key', 'k.key']);
  expect(signed.code, signed.stderr).toBe(0);
}, 300_000);
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('modelseal watch', () => {
  it('--once: exit 0 when unchanged, 1 with JSON lines on drift; --exec gets the events', () => {
    const clean = modelseal(['watch', 'model', '--key', 'k.pub', '--once']);
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([0, '', '']);
    writeFileSync(path.join(model, 'extra.py'), 'import os\n');
    const drift = modelseal([
      'watch',
      'model',
      '--key',
      'k.pub',
      '--once',
      '--exec',
      'cat > hook.out; echo "$MODELSEAL_DRIFT" > hook.env',
    ]);
    expect(drift.code).toBe(1);
    const lines = drift.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.path, e.change, e.detail])).toEqual([
      ['extra.py', 'added', 'not in the signature'],
    ]);
    expect(Object.keys(lines[0])).toEqual(['time', 'path', 'change', 'detail']);
    expect(readFileSync(path.join(tmp, 'hook.out'), 'utf8')).toBe(drift.stdout);
    expect(JSON.parse(readFileSync(path.join(tmp, 'hook.env'), 'utf8'))).toEqual(lines);
    rmSync(path.join(model, 'extra.py'));
  });

  it('bad flags exit 2; a wrong key exits 1', () => {
    expect(modelseal(['watch', 'model', '--key', 'k.pub', '--interval', 'soon']).stderr).toBe(
      "modelseal: error[USAGE]: --interval must be a duration from 100ms to 168h (e.g. 30s, 5m), got 'soon'\n",
    );
    writeFileSync(path.join(tmp, 'other.pem'), '');
    expect(modelseal(['keygen', '--output-prefix', 'o', '--no-encrypt']).code).toBe(0);
    const wrong = modelseal(['watch', 'model', '--key', 'o.pub', '--once']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^modelseal: error\[WRONG_KEY\]: /);
  });

  it('an idle watch on a 2 GiB model uses under 1% CPU, and still reports a write', async () => {
    const child = spawn(process.execPath, [BIN, 'watch', 'model', '--key', 'k.pub', '--interval', '1h'], {
      cwd: tmp,
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const until = async (ok: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !ok();) {
        if (Date.now() > end) throw new Error(`timed out; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => stderr.includes('modelseal: watching 2 files of model\n'), 180_000);
    const before = cpuSeconds(child.pid!);
    const IDLE_S = 20;
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const used = cpuSeconds(child.pid!) - before;
    console.log(
      `idle watch of a 2 GiB model: ${used.toFixed(2)} s CPU in ${IDLE_S} s (${((used / IDLE_S) * 100).toFixed(2)}%)`,
    );
    expect(used / IDLE_S).toBeLessThan(0.01);
    expect(stdout).toBe('');

    appendFileSync(path.join(model, 'config.json'), ' ');
    await until(() => stdout.includes('\n'), 30_000);
    expect(JSON.parse(stdout.trim())).toMatchObject({ path: 'config.json', change: 'modified' });
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 300_000);
});
