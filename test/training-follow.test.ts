// `modelseal sign DIR --follow` as a real process beside a real writer process (a Python script
// writing a sharded safetensors checkpoint in place, at a limited rate): for every completion
// condition the signature verifies, its root equals `modelseal hash DIR` run after the job (in this process), and
// every file digest equals Python's hashlib. The attacks: a shard rewritten after it was hashed,
// and the marker appearing while the last shard is still open and growing.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO } from './cli-process.js';
import { runCliInProcess } from './cli-in-process.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';

const WRITER = path.join(REPO, 'fixtures/training/write_checkpoint.py');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-follow-'));
const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KEY = path.join(tmp, 'signing.key');
const PUB = path.join(tmp, 'signing.pub');
writeFileSync(KEY, keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(PUB, keyPair.publicKey.export({ type: 'spki', format: 'pem' }));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  pid: number;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** resolves when the process has printed a stderr line matching `re`, with the time it arrived */
  stderrLine: (re: RegExp) => Promise<number>;
}

function start(cmd: string, args: string[]): Run {
  const child = spawn(cmd, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: { re: RegExp; resolve: (t: number) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiting.splice(0)) {
      if (w.re.test(stderr)) w.resolve(Date.now());
      else waiting.push(w);
    }
  });
  const stderrLine = (re: RegExp) =>
    new Promise<number>((resolve) => {
      if (re.test(stderr)) resolve(Date.now());
      else waiting.push({ re, resolve });
    });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { pid: child.pid as number, done, stderrLine };
}

const writer = (dir: string, ...args: string[]) =>
  start('python3', [
    WRITER,
    dir,
    '--shards',
    '3',
    '--shard-bytes',
    String(3 << 20),
    '--chunk',
    '65536',
    ...args,
  ]);
const follow = (dir: string, ...args: string[]) =>
  start(process.execPath, [CLI_BIN, 'sign', dir, '--key', KEY, '--follow', '--json', ...args]);
const followHuman = (dir: string, ...args: string[]) =>
  start(process.execPath, [CLI_BIN, 'sign', dir, '--key', KEY, '--follow', ...args]);

let n = 0;
function freshDir(): string {
  const dir = path.join(tmp, `job${n++}`, 'ckpt');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The signed resources, read from the bundle's DSSE payload. */
function signedResources(dir: string): Record<string, string> {
  const bundle = JSON.parse(readFileSync(path.join(dir, 'model.sig'), 'utf8')) as {
    dsseEnvelope: { payload: string };
  };
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
    predicate: { resources: { name: string; digest: string }[] };
  };
  return Object.fromEntries(statement.predicate.resources.map((r) => [r.name, r.digest]));
}

/** What every scenario must hold once both processes are done. */
async function expectSignedAsOnDisk(
  dir: string,
  signed: { code: number | null; stdout: string; stderr: string },
  written: { code: number | null; stdout: string },
) {
  expect(written.code).toBe(0);
  expect(signed.stderr).toBe('');
  expect(signed.code).toBe(0);
  const result = JSON.parse(signed.stdout) as { root: string; completion: string; hashedAtSigning: string[] };
  const hashed = await runCliInProcess(['hash', dir, '--json']);
  expect(hashed.code).toBe(0);
  expect(result.root).toBe((JSON.parse(hashed.stdout) as { root: string }).root);
  const python = (JSON.parse(written.stdout) as { files: Record<string, string> }).files;
  expect(signedResources(dir)).toEqual(python);
  const verified = await runCliInProcess(['verify', dir, '--key', PUB]);
  expect(verified.stderr + verified.stdout).not.toMatch(/error/i);
  expect(verified.code).toBe(0);
  return result;
}

/** The human-mode checks: the root printed is `hash DIR`'s, every digest is hashlib's, verify passes. */
async function followedAsOnDisk(dir: string, signing: Run, written: { code: number | null; stdout: string }) {
  const out = await signing.done;
  expect(written.code).toBe(0);
  expect(out.code).toBe(0);
  expect(out.stdout.trim()).toBe(path.join(dir, 'model.sig'));
  const hashed = await runCliInProcess(['hash', dir, '--json']);
  expect(out.stderr).toContain(`sha256:${(JSON.parse(hashed.stdout) as { root: string }).root}`);
  expect(signedResources(dir)).toEqual(
    (JSON.parse(written.stdout) as { files: Record<string, string> }).files,
  );
  expect((await runCliInProcess(['verify', dir, '--key', PUB])).code).toBe(0);
  return out;
}

describe('sign --follow beside a writing process', () => {
  it('--until-file COMPLETE: shards are hashed while the job writes, the signature follows the marker', async () => {
    const dir = freshDir();
    const signing = follow(dir, '--until-file', 'COMPLETE');
    const written = await writer(dir, '--rate', String(8 << 20)).done; // ~1.1 s for 9 MiB
    const result = await expectSignedAsOnDisk(dir, await signing.done, written);
    expect(result.completion).toBe('until-file');
  }, 60_000);

  it('each shard is hashed as soon as it is closed, while the job still writes the next one', async () => {
    const dir = freshDir();
    const signing = followHuman(dir, '--until-file', 'COMPLETE');
    await signing.stderrLine(/^following /m);
    const job = writer(dir, '--rate', String(4 << 20)); // 0.75 s per shard
    const firstHashed = await signing.stderrLine(
      /^hashed model-00001-of-00003\.safetensors \(3145848 bytes\)$/m,
    );
    const written = await job.done;
    const writerDone = Date.now();
    expect(firstHashed).toBeLessThan(writerDone - 500); // two more shards were still to be written
    const out = await signing.done;
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/on until-file, \d files hashed at signing -> /);
    expect(out.stdout.trim()).toBe(path.join(dir, 'model.sig'));
    expect(written.code).toBe(0);
    const hashed = await runCliInProcess(['hash', dir, '--json']);
    expect(out.stderr).toContain(`sha256:${(JSON.parse(hashed.stdout) as { root: string }).root}`);
  }, 60_000);

  it('--until-pid: a shard rewritten in place after it was hashed is hashed again, never signed stale', async () => {
    const dir = freshDir();
    const go = path.join(dir, '..', 'go');
    const rewrite = path.join(dir, '..', 'rewrite');
    const job = writer(
      dir,
      '--rate',
      String(8 << 20),
      '--rewrite-first',
      '--rewrite-when',
      rewrite,
      '--marker',
      '',
      '--wait-for',
      go,
    );
    const signing = followHuman(dir, '--until-pid', String(job.pid));
    await signing.stderrLine(/^following /m);
    writeFileSync(go, '');
    // the job opens the first shard for writing again only once modelseal has hashed it
    await signing.stderrLine(/^hashed model-00001-of-00003\.safetensors /m);
    writeFileSync(rewrite, '');
    const out = await followedAsOnDisk(dir, signing, await job.done);
    expect(out.stderr).toMatch(/ on until-pid, /);
    // hashed once when closed, again after the job opened it for writing and changed it
    expect(out.stderr.match(/^hashed model-00001-of-00003\.safetensors /gm)).toHaveLength(2);
  }, 60_000);

  it('--quiet-period: signs once nothing changed for the period', async () => {
    const dir = freshDir();
    const signing = followHuman(dir, '--quiet-period', '1500ms');
    await signing.stderrLine(/^following /m);
    const out = await followedAsOnDisk(
      dir,
      signing,
      await writer(dir, '--rate', String(16 << 20), '--marker', '').done,
    );
    expect(out.stderr).toMatch(/ on quiet-period, /);
  }, 60_000);

  it('the marker appears while the last shard is still open and growing: the signature waits for it to close', async () => {
    const dir = freshDir();
    const signing = followHuman(dir, '--until-file', 'COMPLETE');
    await signing.stderrLine(/^following /m);
    // The last 3 MiB shard takes ~0.75 s after the marker, then stays open 1 s more.
    const out = await followedAsOnDisk(
      dir,
      signing,
      await writer(dir, '--rate', String(4 << 20), '--marker-early', '1').done,
    );
    expect(out.stderr).toMatch(/ on until-file, /);
  }, 60_000);

  it('refuses condition flags without --follow, a bad pid, and a directory that does not exist', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'w.bin'), 'x');
    for (const [args, message] of [
      [['--until-file', 'COMPLETE'], /--until-file, --until-pid and --quiet-period need --follow/],
      [['--follow', '--until-pid', 'abc'], /--until-pid must be a process id, got 'abc'/],
      [['--follow', '--quiet-period', 'soon'], /--quiet-period must be a duration/],
    ] as const) {
      const r = await runCliInProcess(['sign', dir, '--key', KEY, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const missing = await runCliInProcess([
      'sign',
      path.join(tmp, 'nope'),
      '--key',
      KEY,
      '--follow',
      '--quiet-period',
      '1s',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});

describe('push --sign --follow beside a writing process', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
  });

  it('uploads each shard once it is closed, then pushes and signs the artifact the job completed', async () => {
    const dir = freshDir();
    const ref = `${registry.host}/training/ckpt:v1`;
    const pushing = start(process.execPath, [
      CLI_BIN,
      'push',
      dir,
      ref,
      '--follow',
      '--until-file',
      'COMPLETE',
      '--sign',
      '--key',
      KEY,
    ]);
    await pushing.stderrLine(/^following /m);
    const job = writer(dir, '--rate', String(4 << 20), '--rewrite-first');
    const firstUploaded = await pushing.stderrLine(
      /^uploaded model-00001-of-00003\.safetensors \(sha256:[0-9a-f]{64}\)$/m,
    );
    const written = await job.done;
    expect(firstUploaded).toBeLessThan(Date.now() - 500); // two more shards were still to be written
    const out = await pushing.done;
    expect(written.code).toBe(0);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/^signed sha256:[0-9a-f]{64} \(key\)/m);
    const verified = await runCliInProcess(['verify', out.stdout.trim(), '--key', PUB, '--json']);
    expect(verified.code).toBe(0);
    // the artifact is the directory as the job left it: the rewritten shard's final bytes included
    const python = (JSON.parse(written.stdout) as { files: Record<string, string> }).files;
    const layers = await runCliInProcess(['inspect', out.stdout.trim(), '--json']);
    expect(layers.code).toBe(0);
    for (const digest of Object.values(python)) expect(layers.stdout).toContain(`sha256:${digest}`);
    const root = (JSON.parse((await runCliInProcess(['hash', dir, '--json'])).stdout) as { root: string })
      .root;
    expect(verified.stdout).toContain(root);
  }, 90_000);
});
