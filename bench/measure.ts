// Timing for the benchmarks: run whole processes under GNU time (wall, user+system CPU, peak RSS),
// interleave the contenders of one case so that load from other processes hits them alike, and
// report medians and ratios against the reference measured in the same run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TIME = '/usr/bin/time';

export interface Run {
  /** wall time */
  ms: number;
  /** user + system CPU time of the process and its children */
  cpuMs?: number;
  peakKiB?: number;
}

/** Run a command with stdout discarded; resolve with wall time, CPU time and peak RSS. */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const useTime = existsSync(TIME);
  const dir = useTime ? mkdtempSync(path.join(tmpdir(), 'ms-bench-time-')) : '';
  const out = path.join(dir, 'time');
  const file = useTime ? TIME : cmd;
  const argv = useTime ? ['-o', out, '-f', '%e %U %S %M', cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()).length > 100_000 && (stderr = ''));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      let line = '';
      if (useTime) {
        line = readFileSync(out, 'utf8').trim().split('\n').at(-1) ?? '';
        rmSync(dir, { recursive: true, force: true });
      }
      if (code !== 0)
        return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      const [, user, sys, kib] = line.split(' ').map(Number);
      resolve(useTime ? { ms, cpuMs: (user + sys) * 1000, peakKiB: kib } : { ms });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Medians of a contender's runs (peak RSS: the highest seen). */
export interface Summary {
  ms: number;
  cpuMs?: number;
  peakKiB?: number;
  runs: Run[];
}

export function summarize(runs: Run[]): Summary {
  const cpu = runs.map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
  const rss = runs.map((r) => r.peakKiB ?? 0);
  return {
    ms: median(runs.map((r) => r.ms)),
    ...(cpu.length ? { cpuMs: median(cpu) } : {}),
    ...(Math.max(...rss) > 0 ? { peakKiB: Math.max(...rss) } : {}),
    runs,
  };
}

/**
 * One warm-up round, then `rounds` rounds running every contender once, in turn; returns each
 * contender's summary. Progress goes to stderr.
 */
export async function interleaved(
  contenders: Record<string, () => Promise<Run>>,
  rounds: number,
): Promise<Record<string, Summary>> {
  const runs: Record<string, Run[]> = {};
  for (const run of Object.values(contenders)) await run();
  for (let i = 0; i < rounds; i++) {
    for (const [label, run] of Object.entries(contenders)) {
      const r = await run();
      (runs[label] ??= []).push(r);
      process.stderr.write(`  ${label.padEnd(22)} run ${i + 1}: ${fmtRun(r)}\n`);
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summarize(v)]));
}

export function fmtRun(r: Run | Summary): string {
  const cpu = r.cpuMs !== undefined ? ` (cpu ${(r.cpuMs / 1000).toFixed(2)} s)` : '';
  const rss = r.peakKiB ? `, peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB` : '';
  return `${(r.ms / 1000).toFixed(3)} s${cpu}${rss}`;
}

/** `a / b` for wall time, and for CPU time when both have it, as text. */
export function ratioText(a: Summary, b: Summary): string {
  const wall = (a.ms / b.ms).toFixed(2);
  const cpu = a.cpuMs !== undefined && b.cpuMs ? ` (cpu ${(a.cpuMs / b.cpuMs).toFixed(2)})` : '';
  return `${wall}${cpu}`;
}
