// `pnpm bench:hash [a b c d e f]`: time `modelseal hash` (the built CLI, whole processes, warm page
// cache) against reference tools over the same files in the same run: `openssl dgst -sha256` in
// parallel with xargs for sha256, `b3sum` for BLAKE3, and the Python `model_signing` hashing (cases a
// and b) when it can be loaded: installed (`pip install model-signing`), or from a model-transparency
// checkout named by MODEL_SIGNING_SRC (its `src` folder). Medians of BENCH_RUNS (default 5)
// interleaved runs; prints a Markdown table of ratios (wall, and CPU in brackets). Never fails on
// a number: the targets are printed beside the results.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  benchDir,
  largeFilesSet,
  manySmallFilesSet,
  oneHugeFileSet,
  smallFilesSet,
  type BenchSet,
} from './bench-data.js';
import { fmtRun, interleaved, ratioText, timed, type Run, type Summary } from './measure.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const ENGINE = path.join(repo, 'bench/hash-engine.mjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const cores = availableParallelism();

/**
 * The openssl work list: one xargs line per command, largest files first, each big file alone and
 * small files grouped so that xargs -P keeps every core busy (what a careful user does).
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
    if (bytes >= target || cur.length >= 2000) {
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

const modelseal =
  (set: BenchSet, ...args: string[]) =>
  () =>
    timed(process.execPath, [BIN, 'hash', set.dir, '--json', ...args]);
/**
 * The Python model_signing contender for a set (bench/model-signing-hash.py), or nothing when
 * model_signing cannot be loaded here (it is then left out of the run, with the reason on stderr).
 */
function modelSigning(set: BenchSet): Record<string, () => Promise<Run>> {
  const script = path.join(repo, 'bench/model-signing-hash.py');
  const src = process.env.MODEL_SIGNING_SRC ? [process.env.MODEL_SIGNING_SRC] : [];
  const probe = spawnSync('python3', [script, path.join(repo, 'fixtures/models/sample-model'), ...src]);
  if (probe.status !== 0) {
    const why = probe.stderr?.toString().trim().split('\n').at(-1) ?? String(probe.error);
    process.stderr.write(
      `  model_signing (Python) left out: ${why} (install it, or set MODEL_SIGNING_SRC)\n`,
    );
    return {};
  }
  return { 'model_signing (Python)': () => timed('python3', [script, set.dir, ...src]) };
}

const opensslParallel = (set: BenchSet) => {
  const list = opensslList(set);
  return () => timed('sh', ['-c', `xargs -P ${cores} -L 1 openssl dgst -sha256 < '${list}'`]);
};
const b3sum =
  (files: string[], ...flags: string[]) =>
  () =>
    timed('b3sum', [...flags, ...files]);
const paths = (set: BenchSet, filter: (size: number) => boolean = () => true) =>
  set.files.filter((f) => filter(f.size)).map((f) => path.join(set.dir, f.name));

interface Case {
  id: string;
  label: string;
  /** the contenders; the first is modelseal, `reference` names the one ratios are taken against */
  contenders: () => Record<string, () => Promise<Run>>;
  reference: string;
  /** target for modelseal / reference (wall), or an absolute limit in ms */
  target: { ratio?: number; ms?: number; rssMiB?: number };
  note?: string;
}

const cases: Case[] = [
  {
    id: 'a',
    label: 'sha256, 4 x 512 MiB + 100 small, files',
    contenders: () => {
      const set = largeFilesSet();
      return {
        modelseal: modelseal(set),
        'engine only': () => timed(process.execPath, [ENGINE, set.dir, 'files']),
        'openssl xargs -P': opensslParallel(set),
        ...modelSigning(set),
      };
    },
    reference: 'openssl xargs -P',
    target: { ratio: 1.05, rssMiB: 56 },
  },
  {
    id: 'b',
    label: 'sha256, 10,000 x 4 KiB, files',
    contenders: () => {
      const set = smallFilesSet();
      return { modelseal: modelseal(set), 'openssl xargs -P': opensslParallel(set), ...modelSigning(set) };
    },
    reference: 'openssl xargs -P',
    // The issue's number: 0.29 s at filing (0.20x Python model_signing's 1.48 s), "keep".
    target: { ms: 300 },
  },
  {
    id: 'c',
    label: 'sha256, 1 x 2 GiB, shards',
    contenders: () => {
      const set = oneHugeFileSet();
      return {
        modelseal: modelseal(set, '--method', 'shards'),
        'openssl (1 core)': () => timed('openssl', ['dgst', '-sha256', ...paths(set)]),
      };
    },
    reference: 'openssl (1 core)',
    target: { ratio: 0.7 },
  },
  {
    id: 'd',
    label: 'blake3, 4 x 512 MiB + 100 small, files',
    contenders: () => {
      const set = largeFilesSet();
      return {
        modelseal: modelseal(set, '--hash', 'blake3'),
        'b3sum, same files': b3sum(paths(set)),
        'b3sum, 4 big files': b3sum(paths(set, (s) => s >= 2 ** 20)),
      };
    },
    reference: 'b3sum, same files',
    target: { ratio: 1.5 },
  },
  {
    id: 'e',
    label: 'blake3, 1 x 2 GiB as one resource',
    contenders: () => {
      const set = oneHugeFileSet();
      return {
        modelseal: modelseal(set, '--hash', 'blake3'),
        b3sum: b3sum(paths(set)),
        'b3sum --num-threads 1': b3sum(paths(set), '--num-threads', '1'),
      };
    },
    reference: 'b3sum',
    target: {},
    note:
      'one file hashed as one resource runs on one core: @napi-rs/blake-hash has no multi-threaded ' +
      '(tree-parallel) update, and no chaining-value API to split one file over threads; b3sum ' +
      'uses every core here. --method shards spreads a big file over all cores.',
  },
  {
    id: 'f',
    label: 'sha256, 100,000 x 1 KiB, files',
    contenders: () => {
      const set = manySmallFilesSet();
      return { modelseal: modelseal(set), 'openssl xargs -P': opensslParallel(set) };
    },
    reference: 'openssl xargs -P',
    target: { ms: 2000, rssMiB: 200 },
  },
];

function verdict(c: Case, ms: Summary, ref: Summary): string {
  const parts: string[] = [];
  const ok = (b: boolean) => (b ? 'OK' : 'MISSED');
  if (c.target.ratio !== undefined)
    parts.push(`<= ${c.target.ratio}x: ${ok(ms.ms / ref.ms <= c.target.ratio)}`);
  if (c.target.ms !== undefined) parts.push(`< ${c.target.ms / 1000} s: ${ok(ms.ms < c.target.ms)}`);
  if (c.target.rssMiB !== undefined)
    parts.push(`RSS <= ${c.target.rssMiB} MiB: ${ok((ms.peakKiB ?? 0) / 1024 <= c.target.rssMiB)}`);
  return parts.join(', ') || 'report only';
}

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm -r run build first`);
  const only = process.argv.slice(2);
  process.stderr.write(
    `modelseal hash benchmark: ${cores} cores, data in ${benchDir()}, median of ${RUNS} interleaved runs\n`,
  );
  const rows = [
    '| case | modelseal | reference | ratio (cpu) | others | target |',
    '|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const c of cases) {
    if (only.length && !only.includes(c.id)) continue;
    process.stderr.write(`(${c.id}) ${c.label}\n`);
    const r = await interleaved(c.contenders(), RUNS);
    const ms = r.modelseal;
    const ref = r[c.reference];
    const others = Object.entries(r)
      .filter(([k]) => k !== 'modelseal' && k !== c.reference)
      .map(([k, v]) => `${k}: ${fmtRun(v)}, ratio ${ratioText(ms, v)}`)
      .join('; ');
    rows.push(
      `| (${c.id}) ${c.label} | ${fmtRun(ms)} | ${c.reference}: ${fmtRun(ref)} | ${ratioText(ms, ref)} | ${others} | ${verdict(c, ms, ref)} |`,
    );
    if (c.note) notes.push(`(${c.id}) ${c.note}`);
  }
  process.stdout.write(`\n${rows.join('\n')}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`);
}

await main();
