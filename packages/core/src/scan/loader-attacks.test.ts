// Issue 20's attacks, scanned from real files: each runs a command under CPython's pickle.load (the
// e2e test test/scan-loader-attacks.test.ts proves that with python3) and each was reported clean
// before. Now every one is flagged, with the import the loader would make and its byte offset.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ggufMagicPickle,
  memoUnderscorePickle,
  safetensorsPicklePolyglot,
  systemCall,
  tfliteMagicPickle,
  TORCH_MAGIC_PICKLE,
  torchLegacySecondPickle,
} from '../../../../test/scan/attack-files.js';
import { scan } from './scan-model.js';

const dir = mkdtempSync(join(tmpdir(), 'modelseal-attacks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scanFixture(name: string, bytes: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const report = await scan(path);
  expect(report.files).toHaveLength(1);
  return report.files[0];
}

const CMD = 'touch /nonexistent/pwned';

describe('issue 20 attacks', () => {
  it('a safetensors file that is also a pickle is a polyglot: flagged, with the pickle import', async () => {
    const bytes = safetensorsPicklePolyglot(CMD);
    const f = await scanFixture('pytorch_model.bin', bytes);
    const globalAt = 8 + 0x156 + 1;
    expect(f.format).toBe('polyglot');
    expect(f.weight).toBe(true);
    expect(f.imports.map((i) => [i.import, i.offset, i.opcode, i.class])).toEqual([
      ['os.system', globalAt, 'GLOBAL', 'dangerous'],
    ]);
    expect(f.findings.map((x) => [x.kind, x.offset, x.message])).toEqual([
      [
        'polyglot',
        0,
        'pytorch_model.bin: is a polyglot: safetensors and pickle loaders all accept it, so what runs depends on which one opens it',
      ],
      [
        'unsafe-import',
        globalAt,
        `pytorch_model.bin at byte ${globalAt}: pickle imports os.system (GLOBAL, runs code)`,
      ],
    ]);
  });

  it('the same polyglot named model.safetensors is flagged too (no name makes it clean)', async () => {
    const f = await scanFixture('model.safetensors', safetensorsPicklePolyglot(CMD));
    expect([f.format, f.verdict, f.findings.map((x) => x.kind)]).toEqual([
      'polyglot',
      'flagged',
      ['polyglot', 'unsafe-import'],
    ]);
  });

  it('a pickle carrying TFL3 at bytes 4-7 is parsed as the pickle it is', async () => {
    const f = await scanFixture('model.pkl', tfliteMagicPickle(CMD));
    expect(f.format).toBe('pickle');
    expect(f.imports.map((i) => [i.import, i.offset])).toEqual([['os.system', 9]]);
    expect(f.verdict).toBe('flagged');
  });

  it('a pickle starting GGUF (+ version 3) is a GGUF/pickle polyglot, flagged with its import', async () => {
    const f = await scanFixture('model.pkl', ggufMagicPickle(CMD));
    expect(f.format).toBe('polyglot');
    expect(f.imports.map((i) => [i.import, i.offset])).toEqual([['os.system', 10]]);
    expect(f.findings.map((x) => x.kind)).toEqual(['polyglot', 'unsafe-import']);
  });

  it("a torch legacy file's second pickle is parsed though it has no PROTO", async () => {
    const f = await scanFixture('pytorch_model.bin', torchLegacySecondPickle(CMD));
    expect(f.format).toBe('pickle');
    expect(f.imports.map((i) => [i.import, i.offset])).toEqual([['os.system', TORCH_MAGIC_PICKLE.length]]);
    expect(f.verdict).toBe('flagged');
  });

  it('memo keys are read as int() reads them: PUT 1_0 is key 10, so the import is os.system', async () => {
    const bytes = memoUnderscorePickle(CMD);
    const f = await scanFixture('memo.pkl', bytes);
    expect(f.imports.map((i) => [i.import, i.opcode, i.class])).toEqual([
      ['os.system', 'STACK_GLOBAL', 'dangerous'],
    ]);
    expect(f.imports[0].offset).toBe(bytes.indexOf(Buffer.from('h\x0ah\x0b\x93', 'latin1')) + 4);
  });

  it('a later pickle is read whatever its first opcode, after any number of pickles', async () => {
    const benign = Buffer.from('\x80\x02}q\x00.', 'latin1');
    const f = await scanFixture('three.pkl', Buffer.concat([benign, Buffer.from('N.'), systemCall(CMD)]));
    expect(f.imports.map((i) => [i.import, i.offset])).toEqual([['os.system', benign.length + 2]]);
  });

  it('torch legacy: after five pickles the storage bytes are not parsed as a pickle', async () => {
    const pickles = [TORCH_MAGIC_PICKLE, ...Array.from({ length: 4 }, () => Buffer.from('N.'))];
    const f = await scanFixture('legacy.pt', Buffer.concat([...pickles, systemCall('raw storage bytes')]));
    expect([f.format, f.imports, f.findings]).toEqual(['pickle', [], []]);
  });
});
