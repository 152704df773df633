// `modelseal scan` (the built CLI, run in this process by ./cli-in-process.ts) on pickles made by python3 (never loaded) and a crafted
// safetensors file: table, --json list, exit codes 0 (clean), 1 (findings), 2 (bad input).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-scan-cli-'));
const pickles = path.join(tmp, 'pickles');
const clean = path.join(tmp, 'clean-model');
const hostile = path.join(tmp, 'hostile-model');

function safetensors(): Buffer {
  const json = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(8)]);
}

beforeAll(() => {
  if (!existsSync(path.join(repo, 'packages/cli/dist/bin.js')))
    spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo, encoding: 'utf8' });
  mkdirSync(pickles);
  execFileSync('python3', [path.join(repo, 'fixtures/scan/make-pickles.py'), pickles]);
  for (const d of [clean, hostile]) {
    mkdirSync(d);
    writeFileSync(path.join(d, 'model.safetensors'), safetensors());
    writeFileSync(path.join(d, 'config.json'), '{"architectures": ["Tiny"]}\n');
  }
  copyFileSync(path.join(pickles, 'model.pt'), path.join(clean, 'pytorch_model.bin'));
  copyFileSync(path.join(pickles, 'hostile.pt'), path.join(hostile, 'pytorch_model.bin'));
  copyFileSync(path.join(pickles, 'eval.bin'), path.join(hostile, 'training_args.bin'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function modelseal(args: string[]) {
  return runCliInProcess(args, { cwd: tmp });
}

describe('modelseal scan', () => {
  it('a clean model: table of every file, exit 0', async () => {
    const r = await modelseal(['scan', 'clean-model']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'FILE               FORMAT       SIZE   VERDICT  FLAGGED',
        'config.json        json         28 B   clean',
        'model.safetensors  safetensors  70 B   clean',
        'pytorch_model.bin  pytorch-zip  826 B  clean',
        '',
        'clean-model: 3 files scanned, 0 flagged, 0 findings',
        '',
      ].join('\n'),
    );
  });

  it('a hostile model: flagged imports with file and offset, exit 1', async () => {
    const r = await modelseal(['scan', 'hostile-model']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'FILE               FORMAT       SIZE   VERDICT  FLAGGED',
      'config.json        json         28 B   clean',
      'model.safetensors  safetensors  70 B   clean',
      'pytorch_model.bin  pytorch-zip  632 B  flagged  posix.system @archive/data.pkl:13',
      'training_args.bin  pickle       42 B   flagged  builtins.eval @29',
      '',
      'finding: pytorch_model.bin:archive/data.pkl at byte 13: pickle imports posix.system (GLOBAL, runs code)',
      'finding: training_args.bin at byte 29: pickle imports builtins.eval (STACK_GLOBAL, runs code)',
      'hostile-model: 4 files scanned, 2 flagged, 2 findings',
      '',
    ]);
  });

  it('--json prints the list of scanned files', async () => {
    const r = await modelseal(['scan', 'hostile-model', '--json']);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout) as {
      path: string;
      format: string;
      verdict: string;
      findings: { import?: string; offset?: number }[];
    }[];
    expect(
      files.map((f) => [f.path, f.format, f.verdict, f.findings.map((x) => `${x.import}@${x.offset}`)]),
    ).toEqual([
      ['config.json', 'json', 'clean', []],
      ['model.safetensors', 'safetensors', 'clean', []],
      ['pytorch_model.bin', 'pytorch-zip', 'flagged', ['posix.system@13']],
      ['training_args.bin', 'pickle', 'flagged', ['builtins.eval@29']],
    ]);
  });

  it('--allow lets an unknown import through; a dangerous one stays flagged', async () => {
    expect((await modelseal(['scan', 'pickles/unknown-global.pkl'])).code).toBe(1);
    expect(
      (await modelseal(['scan', 'pickles/unknown-global.pkl', '--allow', 'collections.namedtuple'])).code,
    ).toBe(0);
    expect((await modelseal(['scan', 'pickles/eval.bin', '--allow', 'builtins.eval'])).code).toBe(1);
  });

  it('an OCI layout REF: pushed with the CLI, then scanned without pulling; small layers arrive whole and are checked', async () => {
    expect((await modelseal(['push', 'hostile-model', 'oci:layout:v1'])).code).toBe(0);
    const r = await modelseal(['scan', 'oci:layout:v1', '--json']);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout) as {
      path: string;
      format: string;
      verdict: string;
      verified: boolean;
    }[];
    expect(files.map((f) => [f.path, f.format, f.verdict, f.verified])).toEqual([
      ['config.json', 'json', 'clean', true],
      ['model.safetensors', 'safetensors', 'clean', true],
      ['pytorch_model.bin', 'pytorch-zip', 'flagged', true],
      ['training_args.bin', 'pickle', 'flagged', true],
    ]);
    const all = JSON.parse((await modelseal(['scan', 'oci:layout:v1', '--json', '--fetch-all'])).stdout) as {
      verified: boolean;
    }[];
    expect(all.every((f) => f.verified)).toBe(true);
  });

  it('bad input exits 2 with one error line', async () => {
    const r = await modelseal(['scan', 'hostile-model', '--allow', 'not a global']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'modelseal: error[USAGE]: allowed global "not a global" is not module.name or module.*\n',
    ]);
    const missing = await modelseal(['scan', 'oci:no-such-layout:v1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^modelseal: error\[NOT_FOUND\]: .*no-such-layout is not an OCI image layout/,
    );
  });
});
