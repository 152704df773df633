// Issue 20's differential test: every file of the public corpora (fixtures/scan/picklescan, modelscan),
// the attack files and a bounded run of mutated pickles, scanned by modelseal and read by the
// loaders themselves (CPython's C unpickler with a recording, refusing find_class; numpy.lib.format).
// The scanner must report every import the loaders make (no false negative), the same imports when the
// loaders read the file to its end, and flag every file whose imports are not all safe.
// FUZZ_RUNS sets the number of mutants (default 300; `pnpm test:fuzz` runs 20000).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from 'node:fs/promises';
import { FileByteReader, StreamByteReader, type ByteReader } from '../packages/core/src/scan/byte-reader.js';
import { parsePickle, type PickleParse } from '../packages/core/src/scan/pickle-scan.js';
import { scanFile } from '../packages/core/src/scan/scan-file.js';
import {
  ggufMagicPickle,
  memoUnderscorePickle,
  safetensorsPicklePolyglot,
  tfliteMagicPickle,
  torchLegacySecondPickle,
} from './scan/attack-files.js';
import { compare, oracle, type OracleView } from './scan/differential.js';

const REPO = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-scan-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const corpus = [
  ...walk(path.join(REPO, 'fixtures/scan/picklescan')),
  ...walk(path.join(REPO, 'fixtures/scan/modelscan')),
].sort();
/** The corpora's benign files (by their projects' own tests): none may be flagged. */
const BENIGN = [
  'picklescan/data/benign0_v0.pkl',
  'picklescan/data/benign0_v3.pkl',
  'picklescan/data/benign0_v4.pkl',
  'picklescan/data/new_pytorch_model.bin',
  'picklescan/data/pytorch_model.bin',
  'picklescan/data/not_a_pickle.bin',
  'picklescan/data/benign_password_protected.zip',
  'picklescan/data2/int_array.npy',
  'picklescan/data2/int_arrays.npz',
  'picklescan/data2/int_arrays_compressed.npz',
  'modelscan/password_protected.zip',
];

/** Every pickle parsePickle reads from `reader` in a row (as checkPickles does), up to 8. */
async function walkPickles(reader: ByteReader, size: number): Promise<PickleParse[]> {
  const out: PickleParse[] = [];
  while (out.length < 8 && reader.offset < size) {
    const parsed = await parsePickle(reader);
    out.push(parsed);
    if (parsed.error) break;
  }
  return out;
}

/**
 * The opcode walk is the same whether the machine runs opcodes inside its buffered window (a file read
 * in 64 KiB+ chunks: the fast path) or every opcode arrives split across 1-byte chunks (each argument,
 * string, payload and line then goes through the driver's I/O paths: Need, Skip, Line).
 */
async function sameWalkSplit(file: string): Promise<[PickleParse[], PickleParse[]]> {
  const bytes = readFileSync(file);
  const handle = await open(file, 'r');
  try {
    const whole = await walkPickles(new FileByteReader(handle, 0, bytes.length), bytes.length);
    async function* oneByte() {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    return [whole, await walkPickles(new StreamByteReader(oneByte()), bytes.length)];
  } finally {
    await handle.close();
  }
}

async function judge(files: string[]) {
  const views = oracle(files, path.join(tmp, `list-${Math.random()}.json`));
  const out: { file: string; view: OracleView; c: ReturnType<typeof compare>; verdict: string }[] = [];
  for (const file of files) {
    const scanned = await scanFile(file, path.basename(file), []);
    out.push({ file, view: views[file], c: compare(scanned, views[file]), verdict: scanned.verdict });
  }
  return out;
}

describe('scanner vs the loaders on the public corpora and the issue-20 attacks', () => {
  it(`${corpus.length} corpus files + 5 attacks: no import missed, no false negative, benign files clean`, async () => {
    const attacks = [
      ['polyglot.bin', safetensorsPicklePolyglot('id')],
      ['tflite.pkl', tfliteMagicPickle('id')],
      ['gguf.pkl', ggufMagicPickle('id')],
      ['legacy.pt', torchLegacySecondPickle('id')],
      ['memo.pkl', memoUnderscorePickle('id')],
    ] as const;
    const attackFiles = attacks.map(([n, b]) => {
      const p = path.join(tmp, n);
      writeFileSync(p, b);
      return p;
    });
    const results = await judge([...corpus, ...attackFiles]);
    const rel = (f: string) => path.relative(path.join(REPO, 'fixtures/scan'), f);
    expect(results.filter((r) => r.c.missed.length > 0).map((r) => [rel(r.file), r.c.missed])).toEqual([]);
    expect(results.filter((r) => r.c.falseNegative).map((r) => rel(r.file))).toEqual([]);
    expect(results.filter((r) => r.c.extra.length > 0).map((r) => [rel(r.file), r.c.extra])).toEqual([]);
    const benign = results.filter((r) => BENIGN.includes(rel(r.file)));
    expect(benign.map((r) => [rel(r.file), r.verdict]).sort()).toEqual(
      BENIGN.map((b) => [b, 'clean']).sort(),
    );
    // every attack: the loader imports os.system (posix.system) and the scanner flags it
    for (const r of results.slice(corpus.length)) {
      expect(r.view.imports).toEqual(['os.system']);
      expect(r.verdict).toBe('flagged');
    }
    // every corpus file the loaders find dangerous is flagged
    const dangerous = results.filter((r) => r.c.loaderDangerous);
    expect(dangerous.length).toBeGreaterThan(80);
    expect(dangerous.every((r) => r.verdict === 'flagged')).toBe(true);
  }, 120_000);
});

describe("Python 2 names are mapped as CPython's find_class maps them (_compat_pickle, protocols 0-2)", () => {
  it('the scanner reports the names the loader imports, and flags __builtin__.eval as builtins.eval', async () => {
    const pickleOf = (proto: number, module: string, name: string): Buffer =>
      Buffer.concat([
        proto > 0 ? Buffer.from([0x80, proto]) : Buffer.alloc(0),
        Buffer.from(`c${module}\n${name}\n(S'id'\ntR.`, 'latin1'),
      ]);
    const cases: [string, number, string, string, string, 'flagged' | 'clean'][] = [
      ['eval-p0.pkl', 0, '__builtin__', 'eval', 'builtins.eval', 'flagged'],
      ['eval-p2.pkl', 2, '__builtin__', 'eval', 'builtins.eval', 'flagged'],
      ['eval-p3.pkl', 3, '__builtin__', 'eval', '__builtin__.eval', 'flagged'],
      ['xrange-p2.pkl', 2, '__builtin__', 'xrange', 'builtins.range', 'flagged'],
      ['reconstructor-p1.pkl', 1, 'copy_reg', '_reconstructor', 'copyreg._reconstructor', 'flagged'],
      ['izip-p2.pkl', 2, 'itertools', 'izip', 'builtins.zip', 'flagged'],
      ['ifilterfalse-p2.pkl', 2, 'itertools', 'ifilterfalse', 'itertools.filterfalse', 'flagged'],
      ['set-p2.pkl', 2, '__builtin__', 'set', 'builtins.set', 'clean'],
      ['commands-p0.pkl', 0, 'commands', 'getoutput', 'subprocess.getoutput', 'flagged'],
    ];
    const files = cases.map(([n, proto, m, name]) => {
      const p = path.join(tmp, n);
      writeFileSync(p, pickleOf(proto, m, name));
      return p;
    });
    const results = await judge(files);
    expect(
      results.map((r) => [path.basename(r.file), r.view.imports, r.c.missed, r.c.extra, r.verdict]),
    ).toEqual(cases.map(([n, , , , imported, verdict]) => [n, [imported], [], [], verdict]));
  }, 60_000);
});

/** mulberry32: a small seeded PRNG so a failing mutant can be rebuilt from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPCODES = Buffer.from(
  '(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98',
  'latin1',
);
const MAGICS = [
  'GGUF\x03\x00\x00\x00',
  'PK\x03\x04',
  '\x93NUMPY\x01\x00',
  'TFL3',
  '\n',
  'p1_0\n',
  'g1\n',
].map((m) => Buffer.from(m, 'latin1'));

function mutate(seed: Buffer, other: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(seed);
  const at = () => Math.floor(rnd() * (b.length + 1));
  const steps = 1 + Math.floor(rnd() * 3);
  for (let s = 0; s < steps; s++) {
    const kind = Math.floor(rnd() * 7);
    const i = Math.min(at(), Math.max(0, b.length - 1));
    if (kind === 0 && b.length > 0)
      b[i] ^= 1 << Math.floor(rnd() * 8); // bit flip
    else if (kind === 1 && b.length > 0)
      b[i] = OPCODES[Math.floor(rnd() * OPCODES.length)]; // opcode swap
    else if (kind === 2) {
      const p = b.indexOf(0x80); // protocol change
      if (p >= 0 && p + 1 < b.length) b[p + 1] = Math.floor(rnd() * 7);
    } else if (kind === 3) {
      const m = MAGICS[Math.floor(rnd() * MAGICS.length)]; // inserted magic number / line argument
      const where = rnd() < 0.5 ? 0 : at();
      b = Buffer.concat([b.subarray(0, where), m, b.subarray(where)]);
    } else if (kind === 4)
      b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]); // deletion
    else if (kind === 5)
      b = Buffer.concat([b, other]); // a second pickle
    else {
      const op = OPCODES[Math.floor(rnd() * OPCODES.length)]; // inserted opcode
      b = Buffer.concat([b.subarray(0, i), Buffer.from([op]), b.subarray(i)]);
    }
  }
  return b;
}

describe('mutation fuzzer: scanner vs the loaders', () => {
  const runs = Number(process.env.FUZZ_RUNS ?? 300);
  it(`${runs} mutants of the corpus pickles: no import the loader makes is missed`, async () => {
    const seeds: Buffer[] = corpus
      .filter((f) => /\.(pkl|pickle|pt|bin)$/.test(f) && statSync(f).size < 8192)
      .map((f) => readFileSync(f));
    seeds.push(memoUnderscorePickle('id'), torchLegacySecondPickle('id'), tfliteMagicPickle('id'));
    const seed0 = Number(process.env.FUZZ_SEED ?? 20);
    const batch = 500;
    let done = 0;
    const walked = { single: 0, multi: 0 };
    for (let start = 0; start < runs; start += batch) {
      const files: string[] = [];
      for (let k = start; k < Math.min(runs, start + batch); k++) {
        const rnd = prng(seed0 * 1_000_003 + k);
        const s = seeds[Math.floor(rnd() * seeds.length)];
        const o = seeds[Math.floor(rnd() * seeds.length)];
        const f = path.join(tmp, `mutant-${k}.pkl`);
        writeFileSync(f, new Uint8Array(mutate(s, o, rnd)));
        files.push(f);
      }
      const results = await judge(files);
      for (const f of files) {
        const [whole, split] = await sameWalkSplit(f);
        if (JSON.stringify(whole) !== JSON.stringify(split)) expect([f, split]).toEqual([f, whole]);
        if (split.length > 1) walked.multi++;
        else walked.single++;
      }
      const bad = results.filter((r) => r.c.missed.length > 0 || r.c.falseNegative);
      expect(
        bad.map((r) => [
          path.basename(r.file),
          r.c.missed,
          r.view.error,
          readFileSync(r.file).toString('hex'),
        ]),
      ).toEqual([]);
      done += results.length;
      for (const f of files) rmSync(f);
    }
    expect(done).toBe(runs);
    expect(walked.single + walked.multi).toBe(runs);
  }, 600_000);

  it('every corpus file and attack: the same opcode walk from a buffered file and from 1-byte chunks', async () => {
    const files = corpus.filter((f) => statSync(f).size < 4 * 1024 * 1024);
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const [whole, split] = await sameWalkSplit(f);
      expect([f, split]).toEqual([f, whole]);
    }
  }, 120_000);
});
