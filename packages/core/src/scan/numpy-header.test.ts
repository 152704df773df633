// .npy headers in the spellings numpy.lib.format accepts: each object dtype spelling (checked against
// numpy itself through /usr/bin/python3) is followed by a pickle the scanner must parse; plain dtypes not.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile } from './scan-file.js';
import { parsePythonLiteral } from './python-literal.js';

const dir = mkdtempSync(join(tmpdir(), 'modelseal-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOSTILE = Buffer.from("cos\nsystem\n(S'id'\ntR.", 'latin1');

function npy(header: string, major = 1): Buffer {
  const text = Buffer.from(header, major === 3 ? 'utf8' : 'latin1');
  const len = Buffer.alloc(major === 1 ? 2 : 4);
  if (major === 1) len.writeUInt16LE(text.length);
  else len.writeUInt32LE(text.length);
  return Buffer.concat([Buffer.from(`\x93NUMPY${String.fromCharCode(major)}\x00`, 'latin1'), len, text]);
}

/** What numpy 1.24+ says: 'object', 'plain' or 'error'. */
function numpySays(file: string): string {
  const py = `import sys, numpy.lib.format as f
fp = open(sys.argv[1], 'rb')
try:
    v = f.read_magic(fp); f._check_version(v)
    print('object' if f._read_array_header(fp, v, max_header_size=2**64)[2].hasobject else 'plain')
except Exception:
    print('error')`;
  return spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' }).stdout.trim();
}

const objectSpellings: [string, string, number?][] = [
  ['|O', "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"],
  ['object', "{'descr': 'object', 'fortran_order': False, 'shape': (1,)}"],
  ['O8', "{'descr': '<O8', 'fortran_order': False, 'shape': (1,)}"],
  ['implicit concatenation', "{'descr': '|' 'O', 'fortran_order': False, 'shape': (1,)}"],
  ['hex escape', "{'descr': '\\x4f', 'fortran_order': False, 'shape': (1,)}"],
  ['u prefix + comment', "{'descr': u'O', # a comment\n 'fortran_order': False, 'shape': (1,)}"],
  ['structured field', "{'descr': [('a', '<f4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,)}"],
  ['subarray', "{'descr': ('O', (2,)), 'fortran_order': False, 'shape': (1,)}"],
  ['two-character field string', "{'descr': ['aO'], 'fortran_order': False, 'shape': (1,)}"],
  ['comma format string', "{'descr': 'i4,O', 'fortran_order': False, 'shape': (1,)}"],
  ['Python 2 long in shape', "{'descr': '|O', 'fortran_order': False, 'shape': (1L,)}"],
  ['version 3 UTF-8 header', "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 3],
  ['duplicate key, the last wins', "{'descr': '<f4', 'descr': '|O', 'fortran_order': False, 'shape': (1,)}"],
];

describe('.npy headers read as numpy.lib.format reads them', () => {
  for (const [what, header, major] of objectSpellings) {
    it(`object dtype spelled ${what}: numpy says object, the pickle after it is scanned`, async () => {
      const file = join(dir, `${what.replace(/\W+/g, '-')}.npy`);
      writeFileSync(file, Buffer.concat([npy(header, major), HOSTILE]));
      expect(numpySays(file)).toBe('object');
      const f = await scanFile(file, 'a.npy', []);
      expect([f.format, f.verdict, f.imports.map((i) => i.import)]).toEqual([
        'numpy',
        'flagged',
        ['os.system'],
      ]);
    });
  }
  it('a float32 array: numpy says plain, the scan is clean', async () => {
    const file = join(dir, 'plain.npy');
    writeFileSync(
      file,
      Buffer.concat([npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"), HOSTILE]),
    );
    expect(numpySays(file)).toBe('plain');
    const f = await scanFile(file, 'a.npy', []);
    expect([f.format, f.verdict, f.imports]).toEqual(['numpy', 'clean', []]);
  });
  it('version 1.1 (minor not 0) is refused by numpy and flagged', async () => {
    const bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}");
    bytes[7] = 1;
    const file = join(dir, 'v11.npy');
    writeFileSync(file, bytes);
    expect(numpySays(file)).toBe('error');
    const f = await scanFile(file, 'a.npy', []);
    expect(f.findings.map((x) => x.message)).toEqual([
      'a.npy at byte 0: not a NumPy .npy header numpy.load reads: format version (1,1) is not 1.0, 2.0 or 3.0',
    ]);
  });
  it('literal parser: containers, numbers and strings as literal_eval builds them', () => {
    expect(
      parsePythonLiteral("(1, -2, 0x1f, 1_000, 'a' \"b\", r'\\n', b'x', 1.5e3, 2j, True, None, [], {}, {1})"),
    ).toEqual({
      t: 'tuple',
      items: [
        { t: 'int', v: 1n },
        { t: 'int', v: -2n },
        { t: 'int', v: 31n },
        { t: 'int', v: 1000n },
        { t: 'str', v: 'ab' },
        { t: 'str', v: '\\n' },
        { t: 'bytes' },
        { t: 'float' },
        { t: 'complex' },
        { t: 'bool', v: true },
        { t: 'none' },
        { t: 'list', items: [] },
        { t: 'dict', entries: [] },
        { t: 'set', items: [{ t: 'int', v: 1n }] },
      ],
    });
    expect(() => parsePythonLiteral("{'a': 1} + 1")).toThrow();
    expect(() => parsePythonLiteral('__import__("os")')).toThrow();
  });
});
