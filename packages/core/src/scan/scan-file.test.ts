// scanFile on real sparse files: a safetensors file whose header length starts with a line opcode
// (0x49 INT, 0x50 PERSID) and whose data section has no newline costs at most MAX_LINE_BYTES of reading, then is
// flagged (pickle.load would read on; the scanner does not); with a newline early in the data it is
// clean after reading a few KiB. Bytes read are the process's rchar from /proc/self/io.
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from './pickle-scan.js';
import { scanFile } from './scan-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ms-scan-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rchar = (): number => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);

/** A sparse safetensors file of `size` bytes: header of exactly `headerLength` bytes, zero data, `extra` at data byte 0. */
function sparseSafetensors(
  name: string,
  size: number,
  headerLength: number,
  extra = Buffer.alloc(0),
): string {
  const n = size - 8 - headerLength;
  const json = JSON.stringify({ w: { dtype: 'U8', shape: [n], data_offsets: [0, n] } }).padEnd(
    headerLength,
    ' ',
  );
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerLength));
  writeSync(fd, Buffer.concat([len, Buffer.from(json, 'latin1'), extra]));
  ftruncateSync(fd, size);
  closeSync(fd);
  return file;
}

describe('scanFile reads a bounded amount of a large file', () => {
  const GiB = 1024 ** 3;
  it('a line opcode at byte 0 and no newline: flagged after at most MAX_LINE_BYTES, not the whole GiB', async () => {
    const file = sparseSafetensors('i.safetensors', GiB, 0x149); // length bytes 49 01 ...: INT
    const before = rchar();
    const r = await scanFile(file, 'i.safetensors', []);
    const read = rchar() - before;
    expect(read).toBeGreaterThan(MAX_LINE_BYTES);
    expect(read).toBeLessThan(MAX_LINE_BYTES + 4 * 1024 * 1024);
    expect(r.verdict).toBe('flagged');
    expect(r.format).toBe('polyglot');
    expect(r.findings.map((f) => f.message)).toEqual([
      'i.safetensors: is a polyglot: safetensors and pickle loaders all accept it, so what runs depends on which one opens it',
      `i.safetensors at byte 0: not a well-formed pickle: a line argument runs over ${MAX_LINE_BYTES} bytes without a newline; the scanner reads no further`,
    ]);
  });

  it('PERSID at byte 0 (no loader has a persistent_load for the first pickle): clean, also bounded', async () => {
    const file = sparseSafetensors('p.safetensors', GiB, 0x150); // length bytes 50 01 ...: PERSID
    const before = rchar();
    const r = await scanFile(file, 'p.safetensors', []);
    expect(rchar() - before).toBeLessThan(MAX_LINE_BYTES + 4 * 1024 * 1024);
    expect([r.format, r.verdict, r.findings]).toEqual(['safetensors', 'clean', []]);
  });

  it('INT at byte 0 with a newline early in the data: clean, a few KiB read', async () => {
    const file = sparseSafetensors('n.safetensors', GiB, 0x149, Buffer.from('\n'));
    const before = rchar();
    const r = await scanFile(file, 'n.safetensors', []);
    expect(rchar() - before).toBeLessThan(256 * 1024);
    expect([r.format, r.verdict, r.findings]).toEqual(['safetensors', 'clean', []]);
  });
});

describe('benign GGUF and ONNX files stay clean (no polyglot, no pickle finding)', () => {
  it('a GGUF v3 file with one string key and one F32 tensor', async () => {
    const u64 = (n: number) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(n));
      return b;
    };
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const gstr = (s: string) => Buffer.concat([u64(s.length), Buffer.from(s)]);
    const head = Buffer.concat([
      Buffer.from('GGUF'),
      u32(3), // version
      u64(1), // tensor count
      u64(1), // metadata kv count
      gstr('general.architecture'),
      u32(8), // GGUF_TYPE_STRING
      gstr('llama'),
      gstr('w'), // tensor info: name, n_dims, dims, type F32, offset
      u32(1),
      u64(4),
      u32(0),
      u64(0),
    ]);
    const pad = Buffer.alloc((32 - (head.length % 32)) % 32);
    const file = path.join(dir, 'model.gguf');
    writeFileSync(file, Buffer.concat([head, pad, Buffer.alloc(16, 0x3f)]));
    const r = await scanFile(file, 'model.gguf', []);
    expect([r.format, r.verdict, r.findings, r.imports]).toEqual(['gguf', 'clean', [], []]);
  });

  it('an ONNX ModelProto (ir_version 8, producer, opset 17, an Identity graph)', async () => {
    const field = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
    const s = (t: string) => Buffer.from(t);
    const node = field(0x0a, s('x')); // input
    const graphNode = Buffer.concat([node, field(0x12, s('y')), field(0x22, s('Identity'))]);
    const graph = Buffer.concat([field(0x0a, graphNode), field(0x12, s('g'))]);
    const model = Buffer.concat([
      Buffer.from([0x08, 0x08]), // ir_version 8
      field(0x12, s('pytorch')), // producer_name
      field(0x3a, graph), // graph
      field(0x42, Buffer.from([0x10, 0x11])), // opset_import { version: 17 }
    ]);
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, model);
    const r = await scanFile(file, 'model.onnx', []);
    expect([r.format, r.verdict, r.findings, r.imports]).toEqual(['onnx', 'clean', [], []]);
  });
});
