// Sign at save time: how long after the last checkpoint byte is the signature on disk?
// A Python writer (fixtures/training/write_checkpoint.py, the safetensors layout) writes SHARDS
// shards of SHARD_MIB MiB at RATE_MBS MB/s, then a COMPLETE marker. Two ways, interleaved RUNS times:
//   follow:     `modelseal sign DIR --follow --until-file COMPLETE` runs while the job writes
//   sequential: the job writes, then `modelseal sign DIR` runs (re-reads everything)
// Reported per way (medians): latency = signature mtime - time of the last byte; the writer's wall
// time and CPU; and for follow, the follower's CPU. The ratio is sequential / follow latency.
// Usage: pnpm bench:save-time   (env SHARDS=4 SHARD_MIB=1024 RATE_MBS=500 RUNS=1)
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'packages/cli/dist/bin.js');
const WRITER = path.join(repo, 'fixtures/training/write_checkpoint.py');
const SHARDS = Number(process.env.SHARDS ?? 4);
const SHARD_MIB = Number(process.env.SHARD_MIB ?? 1024);
const RATE_MBS = Number(process.env.RATE_MBS ?? 500);
const RUNS = Number(process.env.RUNS ?? 1);

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-bench-save-'));
const KEY = path.join(tmp, 'k.pem');
writeFileSync(
  KEY,
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
);

interface Proc {
  wallMs: number;
  cpuS: number;
  stdout: string;
  stderr: string;
}

/** Run under /usr/bin/time (CPU of the process and its children); `onStderr` sees stderr as it comes. */
function run(cmd: string, args: string[], onStderr?: (all: string) => void): Promise<Proc> {
  const timeFile = path.join(tmp, `time-${process.hrtime.bigint()}`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const [u, s] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      if (code !== 0)
        return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-1000)}`));
      resolve({ wallMs, cpuS: u + s, stdout, stderr });
    });
  });
}

const writerArgs = (dir: string) => [
  WRITER,
  dir,
  '--shards',
  String(SHARDS),
  '--shard-bytes',
  String(SHARD_MIB * 1024 * 1024),
  '--rate',
  String(RATE_MBS * 1e6),
  '--no-digests',
];

interface Sample {
  latencyMs: number;
  writerWallMs: number;
  writerCpuS: number;
  signerCpuS: number;
}

async function follow(dir: string): Promise<Sample> {
  let ready: () => void = () => undefined;
  const started = new Promise<void>((r) => (ready = r));
  const signer = run(
    process.execPath,
    [CLI, 'sign', dir, '--key', KEY, '--follow', '--until-file', 'COMPLETE'],
    (all) => {
      if (/^following /m.test(all)) ready();
    },
  );
  await started;
  const writer = await run('python3', writerArgs(dir));
  const signed = await signer;
  const { lastByte } = JSON.parse(writer.stdout) as { lastByte: number };
  return {
    latencyMs: statSync(path.join(dir, 'model.sig')).mtimeMs - lastByte * 1000,
    writerWallMs: writer.wallMs,
    writerCpuS: writer.cpuS,
    signerCpuS: signed.cpuS,
  };
}

async function sequential(dir: string): Promise<Sample> {
  const writer = await run('python3', writerArgs(dir));
  const signed = await run(process.execPath, [CLI, 'sign', dir, '--key', KEY]);
  const { lastByte } = JSON.parse(writer.stdout) as { lastByte: number };
  return {
    latencyMs: statSync(path.join(dir, 'model.sig')).mtimeMs - lastByte * 1000,
    writerWallMs: writer.wallMs,
    writerCpuS: writer.cpuS,
    signerCpuS: signed.cpuS,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log(
    `save-time: ${SHARDS} x ${SHARD_MIB} MiB at ${RATE_MBS} MB/s, ${RUNS} run(s) each, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const samples: Record<'follow' | 'sequential', Sample[]> = { follow: [], sequential: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [way, fn] of [
      ['sequential', sequential],
      ['follow', follow],
    ] as const) {
      const dir = path.join(tmp, `${way}-${i}`, 'ckpt');
      mkdirSync(dir, { recursive: true });
      samples[way].push(await fn(dir));
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  }
  const row = (way: 'follow' | 'sequential') => {
    const s = samples[way];
    return `${way.padEnd(10)} last byte -> signature ${(median(s.map((x) => x.latencyMs)) / 1000).toFixed(2)} s; writer wall ${(median(s.map((x) => x.writerWallMs)) / 1000).toFixed(2)} s, writer cpu ${median(s.map((x) => x.writerCpuS)).toFixed(2)} s; modelseal cpu ${median(s.map((x) => x.signerCpuS)).toFixed(2)} s`;
  };
  console.log(row('sequential'));
  console.log(row('follow'));
  const f = median(samples.follow.map((x) => x.latencyMs));
  const q = median(samples.sequential.map((x) => x.latencyMs));
  const ww =
    median(samples.follow.map((x) => x.writerWallMs)) / median(samples.sequential.map((x) => x.writerWallMs));
  console.log(
    `ratio sequential/follow latency: ${(q / f).toFixed(1)}x; writer wall follow/sequential: ${ww.toFixed(3)} (target <= 1.10)`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  rmSync(tmp, { recursive: true, force: true });
}

await main();
