// Synthetic benchmark models made of random bytes, written once and reused from $BENCH_DIR
// (default: <tmpdir>/modelseal-bench). A `<name>.complete` marker beside each set says it is whole.
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface BenchFile {
  name: string;
  size: number;
}

export interface BenchSet {
  name: string;
  dir: string;
  files: BenchFile[];
}

export function benchDir(): string {
  return process.env.BENCH_DIR ?? path.join(tmpdir(), 'modelseal-bench');
}

const MiB = 1024 * 1024;
const chunk = Buffer.allocUnsafe(8 * MiB);

function writeRandom(file: string, size: number): void {
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < size;) {
      const n = Math.min(chunk.length, size - done);
      randomFillSync(chunk, 0, n);
      writeSync(fd, chunk, 0, n);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Create (or reuse) a benchmark model. */
export function ensureSet(name: string, files: BenchFile[]): BenchSet {
  const root = benchDir();
  const dir = path.join(root, name);
  const marker = path.join(root, `${name}.complete`);
  if (!existsSync(marker)) {
    process.stderr.write(`creating ${dir} (${files.length} files)...\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
      writeRandom(path.join(dir, f.name), f.size);
    }
    writeFileSync(marker, `${files.length}\n`);
  }
  return { name, dir, files };
}

/** (a) 4 x 512 MiB weights + 100 small files (1-64 KiB). */
export function largeFilesSet(): BenchSet {
  const files: BenchFile[] = [];
  for (let i = 0; i < 4; i++)
    files.push({ name: `model-0000${i + 1}-of-00004.safetensors`, size: 512 * MiB });
  for (let i = 0; i < 100; i++)
    files.push({ name: `extra/file-${String(i).padStart(3, '0')}.json`, size: 1024 * (1 + ((i * 37) % 64)) });
  return ensureSet('a-4x512MiB', files);
}

/** (b) 10,000 files of 4 KiB. */
export function smallFilesSet(): BenchSet {
  const files: BenchFile[] = [];
  for (let i = 0; i < 10_000; i++)
    files.push({
      name: `d${String(Math.floor(i / 1000)).padStart(2, '0')}/f${String(i).padStart(5, '0')}.bin`,
      size: 4096,
    });
  return ensureSet('b-10000x4KiB', files);
}

/** (c) one 2 GiB file (hashed with --method shards). */
export function oneHugeFileSet(): BenchSet {
  return ensureSet('c-1x2GiB', [{ name: 'model.bin', size: 2048 * MiB }]);
}

/** (d) 100,000 files of 1 KiB in 100 directories (a tokenizer-heavy or dataset-like tree). */
export function manySmallFilesSet(): BenchSet {
  const files: BenchFile[] = [];
  for (let i = 0; i < 100_000; i++)
    files.push({
      name: `d${String(Math.floor(i / 1000)).padStart(3, '0')}/f${String(i).padStart(6, '0')}.bin`,
      size: 1024,
    });
  return ensureSet('d-100000x1KiB', files);
}
