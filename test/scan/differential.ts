// The differential check of issue 20: the scanner's view of a file against the loaders' own view
// (fixtures/scan/loader-oracle.py: CPython's C unpickler with a recording, refusing find_class, and
// numpy.lib.format), for the corpus tests and the mutation fuzzer.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyImport } from '../../packages/core/src/scan/safe-globals.js';
import type { ScannedFile } from '../../packages/core/src/scan/scan-report.js';

const ORACLE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/scan/loader-oracle.py',
);
/** python3 from Debian (numpy comes with python3-numpy); a pyenv shim may come first on PATH. */
export const PYTHON = '/usr/bin/python3';

/** What the loaders did with one file. */
export interface OracleView {
  /** every module.name find_class was asked for, in order */
  imports: string[];
  /** every stream the loaders read ended normally */
  complete: boolean;
  error: string | null;
}

/** Run the oracle over `files` (one python3 process); `listFile` is a scratch path for the list. */
export function oracle(files: string[], listFile: string): Record<string, OracleView> {
  writeFileSync(listFile, JSON.stringify(files));
  const r = spawnSync(PYTHON, [ORACLE, listFile], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`loader-oracle.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, OracleView>;
}

/** How the scanner's verdict on a file compares with the loaders'. */
export interface Comparison {
  /** imports the loaders made that the scanner did not report (must be empty) */
  missed: string[];
  /** the loaders read every stream to its end and the scanner reports other imports */
  extra: string[];
  /** the loaders imported something outside the safe list */
  loaderDangerous: boolean;
  /** a false negative: the loaders imported something unsafe and the scanner called the file clean */
  falseNegative: boolean;
  /** a false positive: the loaders read it all and imported only safe globals, the scanner flagged it */
  falsePositive: boolean;
}

/** Compare (multisets; an unresolved scanner import stands for any one import). */
export function compare(scanned: ScannedFile, view: OracleView): Comparison {
  const reported = scanned.imports.map((i) => i.import);
  const wildcards = reported.filter((i) => i.startsWith('?.')).length;
  const pool = new Map<string, number>();
  for (const i of reported) pool.set(i, (pool.get(i) ?? 0) + 1);
  const missed: string[] = [];
  for (const i of view.imports) {
    const n = pool.get(i) ?? 0;
    if (n > 0) pool.set(i, n - 1);
    else missed.push(i);
  }
  const uncovered = missed.slice(wildcards);
  const extra = view.complete ? [...pool].flatMap(([i, n]) => Array<string>(n).fill(i)) : [];
  const loaderDangerous = view.imports.some((i) => {
    const dot = i.lastIndexOf('.');
    return classifyImport(i.slice(0, dot), i.slice(dot + 1)) !== 'allowed';
  });
  return {
    missed: uncovered,
    extra: extra.filter((i) => !i.startsWith('?.') || view.imports.length === 0),
    loaderDangerous,
    falseNegative: loaderDangerous && scanned.verdict === 'clean',
    falsePositive: view.complete && !loaderDangerous && scanned.verdict === 'flagged',
  };
}
