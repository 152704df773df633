// `pnpm bench:hash`: time `modelseal hash` (the built CLI) against `openssl dgst -sha256` run in
// parallel with xargs over the same files, best of 3 on a warm page cache, plus modelseal's peak RSS.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, largeFilesSet, oneHugeFileSet, smallFilesSet, type BenchSet } from './bench-data.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const ENGINE = path.join(repo, 'bench/hash-engine.mjs');
const TIME = '/usr/bin/time';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const cores = availableParallelism();

interface Run {
  ms: number;
  peakKiB?: number;
}

/** Run a command with stdout to /dev/null; resolve with wall time and (when measured) peak RSS. */
function timed(cmd: string, args: string[], measureRss: boolean): Promise<Run> {
  const useTime = measureRss && existsSync(TIME);
  const file = useTime ? TIME : cmd;
  const argv = useTime ? ['-v', cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let vmHwm = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll =
      measureRss && !useTime
        ? setInterval(() => {
            try {
              const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
              if (m) vmHwm = Math.max(vmHwm, Number(m[1]));
            } catch {
              /* process already gone */
            }
          }, 20)
        : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr}`));
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ ms, peakKiB: m ? Number(m[1]) : vmHwm || undefined });
    });
  });
}

/**
 * Write the openssl work list: one xargs line per command, largest files first, each big file
 * alone and small files grouped so that xargs -P keeps every core busy (what a careful user does).
 */
function opensslList(set: BenchSet): string {
  const files = [...set.files].sort((a, b) => b.size - a.size);
  const total = files.reduce((s, f) => s + f.size, 0);
  const target = total / (cores * 4);
  const lines: string[] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const f of files) {
    cur.push(path.join(set.dir, f.name));
    bytes += f.size;
    if (bytes >= target) {
      lines.push(cur.join(' '));
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) lines.push(cur.join(' '));
  const list = path.join(benchDir(), `${set.name}.openssl-list`);
  writeFileSync(list, `${lines.join('\n')}\n`);
  return list;
}

/**
 * Warm up once, then run the contenders in turn RUNS times (interleaved, so that load from other
 * processes hits them alike) and keep each one's best time and highest peak RSS.
 */
async function bestOf(contenders: Record<string, () => Promise<Run>>): Promise<Record<string, Run>> {
  const best: Record<string, Run> = {};
  for (const run of Object.values(contenders)) await run();
  for (let i = 0; i < RUNS; i++) {
    for (const [label, run] of Object.entries(contenders)) {
      const r = await run();
      process.stderr.write(
        `  ${label.padEnd(9)} run ${i + 1}: ${(r.ms / 1000).toFixed(3)} s${r.peakKiB ? `, peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB` : ''}\n`,
      );
      const b = best[label];
      const peakKiB = Math.max(r.peakKiB ?? 0, b?.peakKiB ?? 0) || undefined;
      best[label] = { ms: Math.min(r.ms, b?.ms ?? Infinity), peakKiB };
    }
  }
  return best;
}

interface Case {
  label: string;
  set: () => BenchSet;
  modelsealArgs: string[];
  target: number;
  single?: boolean;
}

const cases: Case[] = [
  { label: '(a) 4 x 512 MiB + 100 small, files', set: largeFilesSet, modelsealArgs: [], target: 1.05 },
  { label: '(b) 10,000 x 4 KiB, files', set: smallFilesSet, modelsealArgs: [], target: 1.5 },
  {
    label: '(c) 1 x 2 GiB, shards',
    set: oneHugeFileSet,
    modelsealArgs: ['--method', 'shards'],
    target: 0.7,
    single: true,
  },
];

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm -r run build first`);
  const only = process.argv.slice(2);
  process.stderr.write(`modelseal hash benchmark: ${cores} cores, data in ${benchDir()}\n`);
  const rows: string[] = [];
  let maxRss = 0;
  for (const c of cases) {
    if (only.length && !only.some((o) => c.label.startsWith(`(${o})`))) continue;
    const set = c.set();
    process.stderr.write(`${c.label}\n`);
    const list = c.single ? '' : opensslList(set);
    const r = await bestOf({
      modelseal: () => timed(process.execPath, [BIN, 'hash', set.dir, '--json', ...c.modelsealArgs], true),
      engine: () => timed(process.execPath, [ENGINE, set.dir, c.single ? 'shards' : 'files'], false),
      openssl: () =>
        c.single
          ? timed('openssl', ['dgst', '-sha256', path.join(set.dir, set.files[0].name)], false)
          : timed('sh', ['-c', `xargs -P ${cores} -L 1 openssl dgst -sha256 < '${list}'`], false),
    });
    const [ms, engine, os] = [r.modelseal, r.engine, r.openssl];
    const ratio = ms.ms / os.ms;
    maxRss = Math.max(maxRss, ms.peakKiB ?? 0);
    const rss = ms.peakKiB ? `${(ms.peakKiB / 1024).toFixed(1)} MiB` : 'n/a';
    rows.push(
      `${c.label.padEnd(38)} modelseal ${(ms.ms / 1000).toFixed(3)} s  openssl ${(os.ms / 1000).toFixed(3)} s  ` +
        `ratio ${ratio.toFixed(2)} (target <= ${c.target}) ${ratio <= c.target ? 'OK' : 'MISSED'}  peak RSS ${rss}`,
      `${''.padEnd(38)} engine only ${(engine.ms / 1000).toFixed(3)} s  ratio ${(engine.ms / os.ms).toFixed(2)}`,
    );
  }
  process.stdout.write(`\n${rows.join('\n')}\n`);
  process.stdout.write(
    `peak RSS max ${(maxRss / 1024).toFixed(1)} MiB (target <= 150 MiB) ${maxRss / 1024 <= 150 ? 'OK' : 'MISSED'}\n`,
  );
}

await main();
