// Format recognition from first bytes: magic numbers built here from each format's specification.
import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect-format.js';

const gguf = Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)]);
// ONNX ModelProto: ir_version (field 1, varint 8), producer_name (field 2) "pytorch", graph (field 7)
const onnx = Buffer.from([0x08, 0x08, 0x12, 0x07, ...Buffer.from('pytorch'), 0x3a, 0x00]);
const npy = Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([0x76, 0])]);

describe('detectFormat', () => {
  const cases: [string, Buffer, string, string, boolean][] = [
    ['GGUF magic', gguf, 'model.gguf', 'gguf', true],
    ['GGUF magic under another name', gguf, 'weights', 'gguf', true],
    ['ONNX ModelProto', onnx, 'model.onnx', 'onnx', true],
    ['legacy GGML (ggjt)', Buffer.from('tjgg\x03\x00\x00\x00', 'latin1'), 'ggml-model.bin', 'ggml', true],
    ['HDF5', Buffer.from('\x89HDF\r\n\x1a\n\x00', 'latin1'), 'tf_model.h5', 'hdf5', true],
    ['TFLite', Buffer.from('\x1c\x00\x00\x00TFL3', 'latin1'), 'model.tflite', 'tflite', true],
    ['NumPy', npy, 'a.npy', 'numpy', true],
    ['ZIP', Buffer.from('PK\x03\x04', 'latin1'), 'pytorch_model.bin', 'zip', true],
    ['pickle protocol 2 under any name', Buffer.from([0x80, 0x02, 0x7d]), 'config', 'pickle', true],
    [
      'protocol 0 pickle under a pickle name',
      Buffer.from('(dp0\n', 'latin1'),
      'training_args.bin',
      'pickle',
      true,
    ],
    [
      'protocol 0-looking text under another name',
      Buffer.from('(dp0\n', 'latin1'),
      'notes.txt',
      'text',
      false,
    ],
    ['JSON', Buffer.from(' {"a": 1}'), 'config.json', 'json', false],
    ['random bytes', Buffer.from([0xff, 0x00, 0x13]), 'blob', 'unknown', false],
    ['random bytes under a weight name', Buffer.from([0xff, 0x00, 0x13]), 'model.onnx', 'unknown', true],
  ];
  for (const [what, bytes, name, format, weight] of cases) {
    it(`${what} -> ${format}`, () => {
      const d = detectFormat(bytes, name, 1000);
      expect([d.format, d.weight]).toEqual([format, weight]);
    });
  }
  it('safetensors: needs the 8-byte length plus the header', () => {
    const b = Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}   ')]);
    expect(detectFormat(b, 'x', 13)).toEqual({ format: 'safetensors', weight: true, needs: 13 });
    expect(detectFormat(b, 'x', 12).format).toBe('unknown');
  });
});
