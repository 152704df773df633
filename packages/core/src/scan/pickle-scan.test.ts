// Pickles made by CPython's pickle module (fixtures/scan/make-pickles.py), benign and hostile, scanned
// without ever being loaded. Offsets are checked against pickletools.genops, an independent parser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from './scan-model.js';

const SCRIPT = resolve(__dirname, '../../../../fixtures/scan/make-pickles.py');
let dir: string;
let oracle: Record<string, [string, number, unknown][]>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-pickles-'));
  execFileSync('python3', [SCRIPT, dir]);
  oracle = JSON.parse(readFileSync(join(dir, 'oracle.json'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scanFixture(name: string) {
  const report = await scan(join(dir, name));
  expect(report.files).toHaveLength(1);
  return report.files[0];
}
const offsets = (name: string): number[] => oracle[name].map((o) => o[1]);

describe('pickle imports', () => {
  for (const p of [0, 1, 2, 3, 4, 5]) {
    it(`benign OrderedDict pickle, protocol ${p}: only allowed imports, clean`, async () => {
      const f = await scanFixture(`benign-p${p}.pkl`);
      const setName = p <= 3 ? ['builtins.set'] : []; // protocols 0-2 write __builtin__, read as builtins
      expect(f.format).toBe('pickle');
      expect(f.imports.map((i) => [i.import, i.offset, i.class])).toEqual(
        ['collections.OrderedDict', ...setName].map((n, k) => [n, offsets(`benign-p${p}.pkl`)[k], 'allowed']),
      );
      expect(f.verdict).toBe('clean');
      expect(f.findings).toEqual([]);
    });
    it(`os.system through __reduce__, protocol ${p}: flagged with its byte offset`, async () => {
      const name = `system-p${p}.pkl`;
      const f = await scanFixture(name);
      const offset = offsets(name)[0];
      expect(f.verdict).toBe('flagged');
      expect(f.imports.map((i) => [i.import, i.offset, i.opcode, i.class])).toEqual([
        ['posix.system', offset, p >= 4 ? 'STACK_GLOBAL' : 'GLOBAL', 'dangerous'],
      ]);
      expect(f.findings).toEqual([
        {
          file: name,
          kind: 'unsafe-import',
          import: 'posix.system',
          offset,
          message: `${name} at byte ${offset}: pickle imports posix.system (${p >= 4 ? 'STACK_GLOBAL' : 'GLOBAL'}, runs code)`,
        },
      ]);
    });
  }

  const hostile: [string, string, string][] = [
    ['eval.bin', 'builtins.eval', 'dangerous'],
    ['popen.ckpt', 'subprocess.Popen', 'dangerous'],
    ['runpy.pth', 'runpy._run_code', 'dangerous'],
    ['unknown-global.pkl', 'collections.namedtuple', 'unknown'],
    ['inst.pkl', 'os.system', 'dangerous'],
    ['memo-global.pkl', 'os.system', 'dangerous'],
  ];
  for (const [name, imported, cls] of hostile) {
    it(`${name}: ${imported} is flagged as ${cls}`, async () => {
      const f = await scanFixture(name);
      expect(f.format).toBe('pickle');
      expect(f.weight).toBe(true);
      expect(f.imports.map((i) => [i.import, i.offset, i.class])).toEqual([
        [imported, offsets(name)[0], cls],
      ]);
      expect(f.findings.map((x) => [x.kind, x.import, x.offset])).toEqual([
        ['unsafe-import', imported, offsets(name)[0]],
      ]);
    });
  }

  it('a STACK_GLOBAL whose module name is computed by a call is flagged as unresolved', async () => {
    const f = await scanFixture('computed-global.pkl');
    expect(f.imports.map((i) => [i.import, i.offset, i.class])).toEqual([
      ['_codecs.encode', offsets('computed-global.pkl')[0], 'allowed'],
      ['?.?', offsets('computed-global.pkl')[1], 'dangerous'],
    ]);
    expect(f.findings.map((x) => [x.kind, x.offset])).toEqual([['unresolved-import', 41]]);
  });

  it('EXT1 (an import through the copyreg extension registry) is flagged as unresolved', async () => {
    const f = await scanFixture('ext1.pkl');
    expect(f.findings.map((x) => [x.kind, x.import, x.offset])).toEqual([
      ['unresolved-import', '?.extension code 7', 2],
    ]);
  });

  it('a truncated pickle reports the import it reached and a malformed finding', async () => {
    const f = await scanFixture('truncated.pkl');
    expect(f.findings.map((x) => [x.kind, x.import])).toEqual([
      ['unsafe-import', 'posix.system'],
      ['malformed', undefined],
    ]);
    expect(f.findings[1].message).toMatch(/^truncated\.pkl at byte \d+: not a well-formed pickle: truncated/);
  });

  it('legacy torch.save files: the payload in the 4th of five pickles is found, trailing bytes ignored', async () => {
    const f = await scanFixture('legacy.bin');
    expect(f.findings.map((x) => [x.kind, x.import, x.offset])).toEqual([
      ['unsafe-import', 'posix.system', offsets('legacy.bin')[0]],
    ]);
  });

  it('a torch-style state dict (rebuild_tensor_v2, FloatStorage via BINPERSID) is clean', async () => {
    const f = await scanFixture('torch-state-p2.pt');
    expect(f.imports.map((i) => i.import)).toEqual([
      'collections.OrderedDict',
      'torch._utils._rebuild_tensor_v2',
      'torch.FloatStorage',
    ]);
    expect(f.verdict).toBe('clean');
  });
});

describe('torch zip checkpoints', () => {
  it('archive/data.pkl of a benign checkpoint: pytorch-zip, clean', async () => {
    const f = await scanFixture('model.pt');
    expect(f.format).toBe('pytorch-zip');
    expect(f.imports.map((i) => [i.import, i.member, i.offset])).toEqual(
      ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage'].map((n, k) => [
        n,
        'archive/data.pkl',
        offsets('model.pt')[k],
      ]),
    );
    expect(f.verdict).toBe('clean');
  });
  it('a hostile data.pkl is flagged with the member and its offset (stored and deflated)', async () => {
    for (const [name, imported] of [
      ['hostile.pt', 'posix.system'],
      ['hostile-deflated.pth', 'builtins.eval'], // written __builtin__.eval (protocol 2)
    ]) {
      const f = await scanFixture(name);
      expect(f.format).toBe('pytorch-zip');
      expect(f.findings.map((x) => [x.kind, x.import, x.member, x.offset])).toEqual([
        ['unsafe-import', imported, 'archive/data.pkl', offsets(name)[0]],
      ]);
      expect(f.findings[0].message).toBe(
        `${name}:archive/data.pkl at byte 13: pickle imports ${imported} (GLOBAL, runs code)`,
      );
    }
  });
});

describe('allow list', () => {
  it('--allow adds module.name and module.* patterns but never allows a dangerous import', async () => {
    const r1 = await scan(join(dir, 'unknown-global.pkl'), { allowGlobals: ['collections.*'] });
    expect(r1.clean).toBe(true);
    const r2 = await scan(join(dir, 'inst.pkl'), { allowGlobals: ['os.system'] });
    expect(r2.findings.map((f) => f.import)).toEqual(['os.system']);
    await expect(scan(join(dir, 'inst.pkl'), { allowGlobals: ['os system'] })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});

describe('NumPy arrays', () => {
  it('an object array (.npy descr |O) hides a pickle after its header: scanned and flagged', async () => {
    const f = await scanFixture('objects.npy');
    expect(f.format).toBe('numpy');
    expect(f.findings.map((x) => [x.kind, x.import, x.offset])).toEqual([
      ['unsafe-import', 'posix.system', offsets('objects.npy')[0]],
    ]);
  });
  it('a float array is clean; inside an .npz the object member is flagged by name', async () => {
    expect((await scanFixture('floats.npy')).verdict).toBe('clean');
    const npz = await scanFixture('arrays.npz');
    expect(npz.format).toBe('zip');
    expect(npz.findings.map((x) => [x.member, x.import, x.offset])).toEqual([
      ['objects.npy', 'posix.system', offsets('objects.npy')[0]],
    ]);
  });
});

describe('streamed input', () => {
  it('the same imports and offsets when the bytes arrive in 3-byte chunks (REF layers are streamed)', async () => {
    const { StreamByteReader } = await import('./byte-reader.js');
    const { parsePickle } = await import('./pickle-scan.js');
    for (const name of [
      'system-p0.pkl',
      'system-p4.pkl',
      'memo-global.pkl',
      'torch-state-p2.pt',
      'computed-global.pkl',
    ]) {
      const bytes = readFileSync(join(dir, name));
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
      }
      const parsed = await parsePickle(new StreamByteReader(chunks()));
      expect(parsed.error).toBeUndefined();
      expect(parsed.end).toBe(bytes.length);
      expect(parsed.imports.map((i) => i.offset)).toEqual(offsets(name));
    }
  });
});

describe('where a failed walk ends (the REF prefix check decides on it)', () => {
  const walk = async (bytes: Buffer, chunk: number) => {
    const { StreamByteReader } = await import('./byte-reader.js');
    const { parsePickle } = await import('./pickle-scan.js');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    }
    return parsePickle(new StreamByteReader(chunks()));
  };
  const cases: [string, string, number, number, string][] = [
    // input, the failing opcode's offset, end, message
    ['bad opcode mid-input', '\x80\x04K\x01\xffK\x02.', 4, 5, 'invalid load key, 0xff'],
    ['string running past the input', '\x80\x04\x8c\x10abc', 2, 7, 'truncated: needed 17 bytes of argument'],
    ['payload running past the input', '\x80\x04B\x00\x00\x01\x00xy', 2, 9, 'truncated payload'],
    ['line without its newline', '\x80\x02cos\nsys', 2, 9, 'truncated: no newline ending the argument'],
    ['no STOP', '\x80\x04K\x01', 4, 4, 'truncated: no STOP opcode'],
  ];
  for (const [what, input, offset, end, message] of cases)
    it(`${what}: stops at byte ${offset}, read to ${end}, in one chunk and in 1-byte chunks`, async () => {
      for (const chunk of [1024, 1]) {
        const parsed = await walk(Buffer.from(input, 'latin1'), chunk);
        expect([parsed.error, parsed.end]).toEqual([{ message, offset, kind: 'format' }, end]);
      }
    });
});
