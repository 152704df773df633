// safetensors files built byte by byte in the test (the format is 8-byte length + JSON + data).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from './scan-model.js';
import { duplicateTopLevelKeys } from './safetensors.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'modelseal-st-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function safetensors(
  header: unknown,
  dataBytes: number,
  opts: { pad?: number; lengthDelta?: number } = {},
): Buffer {
  const json = Buffer.from(JSON.stringify(header) + ' '.repeat(opts.pad ?? 0));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length + (opts.lengthDelta ?? 0)));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes, 7)]);
}

async function scanBytes(name: string, bytes: Buffer) {
  writeFileSync(join(dir, name), bytes);
  const r = await scan(join(dir, name));
  return r.files[0];
}

const good = {
  __metadata__: { format: 'pt' },
  'a.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
  'a.bias': { dtype: 'BF16', shape: [3], data_offsets: [24, 30] },
  q: { dtype: 'F4', shape: [4], data_offsets: [30, 32] },
};

describe('safetensors header validation', () => {
  it('a valid file (with space padding) is clean', async () => {
    const f = await scanBytes('ok.safetensors', safetensors(good, 32, { pad: 3 }));
    expect([f.format, f.weight, f.verdict, f.findings]).toEqual(['safetensors', true, 'clean', []]);
  });

  const bad: [string, unknown, number, string][] = [
    [
      'dtype.safetensors',
      { x: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } },
      16,
      'tensor "x" has unknown dtype "F128"',
    ],
    [
      'shape.safetensors',
      { x: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 6] } },
      6,
      'tensor "x": shape [2,2] x F16 is 8 bytes, data_offsets span 6',
    ],
    [
      'past-end.safetensors',
      { x: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } },
      4,
      'tensor "x" ends at data offset 8, past the 4-byte data section',
    ],
    [
      'overlap.safetensors',
      {
        x: { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
        y: { dtype: 'U8', shape: [4], data_offsets: [2, 6] },
      },
      6,
      'tensor "y" overlaps the previous tensor (data offset 2 < 4)',
    ],
    [
      'hole.safetensors',
      { x: { dtype: 'U8', shape: [2], data_offsets: [2, 4] } },
      4,
      'hole in the data section before tensor "x" (data offsets 0..2)',
    ],
    [
      'tail.safetensors',
      { x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } },
      5,
      '3 bytes after the last tensor are not covered by the header',
    ],
    [
      'offsets.safetensors',
      { x: { dtype: 'U8', shape: [2], data_offsets: [4, 2] } },
      4,
      'tensor "x" has data_offsets that are not [begin, end] with begin <= end',
    ],
    [
      'meta.safetensors',
      { __metadata__: { n: 1 }, x: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } },
      1,
      '__metadata__ is not an object of strings',
    ],
  ];
  for (const [name, header, data, message] of bad) {
    it(`${name}: ${message}`, async () => {
      const f = await scanBytes(name, safetensors(header, data));
      expect(f.format).toBe('safetensors');
      expect(f.verdict).toBe('flagged');
      expect(f.findings.map((x) => [x.kind, x.message])).toContainEqual([
        'invalid-header',
        `${name}: invalid safetensors header: ${message}`,
      ]);
    });
  }

  it('a header length past the end of the file: named .safetensors but not one, flagged', async () => {
    const f = await scanBytes('len.safetensors', safetensors(good, 32, { lengthDelta: 1000 }));
    expect(f.format).toBe('unknown');
    expect(f.findings.map((x) => [x.kind, x.message])).toEqual([
      [
        'invalid-header',
        'len.safetensors: named like a safetensors file but its content is not one (unknown)',
      ],
    ]);
  });

  it('a tensor named twice (even through a \\u escape) is flagged: loaders disagree on which counts', async () => {
    const json =
      '{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"__metadata__":{"x":"y"},' +
      '"w":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"\\u0078":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}';
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const f = await scanBytes('dup.safetensors', Buffer.concat([len, Buffer.from(json), Buffer.alloc(3)]));
    expect(f.verdict).toBe('flagged');
    expect(f.findings.map((x) => [x.kind, x.message])).toEqual([
      [
        'invalid-header',
        'dup.safetensors: invalid safetensors header: "x" is named more than once in the header (loaders disagree on which one counts)',
      ],
    ]);
  });

  it('the same name inside nested objects or string values is not a duplicate', () => {
    expect(duplicateTopLevelKeys('{"a":{"a":1,"b":[{"a":2}]},"b":"\\"a\\":","c":{"b":{}}, "d" : 1}')).toEqual(
      [],
    );
    expect(duplicateTopLevelKeys('{"a":1,"b":{"c":2},"a":3,"b":4,"b":5}')).toEqual(['a', 'b']);
  });

  it('header JSON that is not an object', async () => {
    const bytes = safetensors([1, 2], 0);
    bytes[8] = 0x7b; // keep the `{` detection byte, break the JSON
    const f = await scanBytes('notobj.safetensors', bytes);
    expect(f.findings[0].message).toMatch(
      /^notobj\.safetensors: invalid safetensors header: header is not UTF-8 JSON/,
    );
  });
});
