// Recognises a file's format from its first bytes (magic numbers, the safetensors length+`{` prefix, the
// ONNX ModelProto's first fields) and, only to decide whether a pickle must be looked for, its name.
import { safetensorsHeaderLength } from './safetensors.js';

/** Formats `scan` recognises by content. */
export type WeightFormat =
  | 'safetensors'
  | 'gguf'
  | 'ggml'
  | 'onnx'
  | 'pickle'
  | 'pytorch-zip'
  | 'numpy'
  | 'hdf5'
  | 'tflite'
  | 'zip'
  | 'json'
  | 'text'
  | 'polyglot'
  | 'unknown';

/** Bytes of a file `detectFormat` needs to see (more only for safetensors headers). */
export const DETECT_PREFIX_BYTES = 4096;

/** Names torch.load, joblib and pickle users give pickle-based files. */
const PICKLE_NAME = /\.(bin|pt|pth|ckpt|pkl|pickle|joblib|dat|data|mar|pytorch)$/i;
/** Other names that hold weights. */
/** Whether `name` is one pickle-based weights use (.bin .pt .pth .ckpt .pkl ...). */
export function isPickleName(name: string): boolean {
  return PICKLE_NAME.test(name);
}

const WEIGHT_NAME = /\.(safetensors|gguf|ggml|onnx|h5|hdf5|keras|tflite|npy|npz|msgpack|pb|model)$/i;
const WEIGHT_FORMATS: ReadonlySet<WeightFormat> = new Set([
  'safetensors',
  'gguf',
  'ggml',
  'onnx',
  'pickle',
  'pytorch-zip',
  'numpy',
  'hdf5',
  'tflite',
  'pytorch-zip',
  'polyglot',
]);

/** Opcodes a protocol 0/1 pickle can start with. */
const PICKLE_V0_FIRST = new Set(Buffer.from('(]})NcIJKLMFGSTUVXPpqgh'));
/** ONNX ModelProto field tags that can follow ir_version (field 1): 2-8, 14, 20, 25. */
const ONNX_NEXT_TAGS = new Set([0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca]);

/** What the first bytes say, and how much more of the file the scan needs. */
export interface Detection {
  format: WeightFormat;
  /** a weight format, or a name that pickle-based weights use */
  weight: boolean;
  /** bytes needed from the start for the scan (safetensors: the header), or 'all' (pickles, zips) */
  needs: number | 'all';
}

function varint(buf: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5 && at + i < buf.length; i++) {
    value += (buf[at + i] & 0x7f) * 2 ** (7 * i);
    if ((buf[at + i] & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

function looksOnnx(p: Buffer): boolean {
  if (p[0] !== 0x08) return false;
  const v = varint(p, 1);
  return v !== undefined && v.value >= 1 && v.value <= 64 && ONNX_NEXT_TAGS.has(p[v.next]);
}

function looksText(p: Buffer): boolean {
  if (p.includes(0)) return false;
  try {
    // a multi-byte character cut at the end of the prefix is fine
    new TextDecoder('utf-8', { fatal: true }).decode(p.subarray(0, Math.max(0, p.length - 4)));
    return true;
  } catch {
    return false;
  }
}

/** A FlatBuffer with the TFLite identifier at bytes 4-7 and a root table offset inside the file. */
function looksTflite(p: Buffer, size: number): boolean {
  if (p.length < 8 || p.toString('latin1', 4, 8) !== 'TFL3') return false;
  const root = p.readUInt32LE(0);
  return root >= 8 && root < size;
}

/**
 * Every format whose loader accepts `prefix` (a file's first bytes; `size` its length) by its magic
 * number or structure, pickle aside (a pickle has no magic: the scanner parses it to know). More than
 * one means a polyglot.
 */
export function magicFormats(prefix: Buffer, size: number): WeightFormat[] {
  const ascii = (from: number, to: number): string => prefix.subarray(from, to).toString('latin1');
  const found: WeightFormat[] = [];
  if (safetensorsHeaderLength(prefix, size) !== undefined) found.push('safetensors');
  if (ascii(0, 4) === 'GGUF') found.push('gguf');
  if (['lmgg', 'fmgg', 'tjgg', 'algg'].includes(ascii(0, 4))) found.push('ggml');
  if (ascii(0, 4) === 'PK\x03\x04' || ascii(0, 4) === 'PK\x05\x06') found.push('zip');
  if (ascii(0, 6) === '\x93NUMPY') found.push('numpy');
  if (ascii(0, 8) === '\x89HDF\r\n\x1a\n') found.push('hdf5');
  if (looksTflite(prefix, size)) found.push('tflite');
  if (looksOnnx(prefix)) found.push('onnx');
  return found;
}

/** What content that no weight loader accepts is: JSON, other text, or unknown bytes. */
export function plainFormat(prefix: Buffer): 'json' | 'text' | 'unknown' {
  if (!looksText(prefix)) return 'unknown';
  const firstChar = prefix.toString('latin1').trimStart()[0];
  return firstChar === '{' || firstChar === '[' ? 'json' : 'text';
}

/** Whether `name` or `format` makes a file a weight file (a weight format, or a name weights use). */
export function isWeight(name: string, format: WeightFormat): boolean {
  return PICKLE_NAME.test(name) || WEIGHT_NAME.test(name) || WEIGHT_FORMATS.has(format);
}

/** Identify a file from `prefix` (its first up to DETECT_PREFIX_BYTES bytes), `name` and `size`. */
export function detectFormat(prefix: Buffer, name: string, size: number): Detection {
  const pickleName = PICKLE_NAME.test(name);
  const named = pickleName || WEIGHT_NAME.test(name);
  const result = (format: WeightFormat, needs: number | 'all' = 0): Detection => ({
    format,
    weight: named || WEIGHT_FORMATS.has(format),
    needs,
  });
  const ascii = (from: number, to: number): string => prefix.subarray(from, to).toString('latin1');
  const headerLength = safetensorsHeaderLength(prefix, size);
  if (headerLength !== undefined) return result('safetensors', 8 + headerLength);
  if (ascii(0, 4) === 'GGUF') return result('gguf');
  if (['lmgg', 'fmgg', 'tjgg', 'algg'].includes(ascii(0, 4))) return result('ggml');
  if (ascii(0, 4) === 'PK\x03\x04' || ascii(0, 4) === 'PK\x05\x06') return result('zip', 'all');
  if (ascii(0, 6) === '\x93NUMPY') return result('numpy', 'all');
  if (ascii(0, 8) === '\x89HDF\r\n\x1a\n') return result('hdf5');
  if (looksTflite(prefix, size)) return result('tflite');
  if (prefix[0] === 0x80 && prefix.length > 1 && prefix[1] >= 2 && prefix[1] <= 5)
    return result('pickle', 'all');
  if (pickleName && prefix.length > 0 && PICKLE_V0_FIRST.has(prefix[0])) return result('pickle', 'all');
  if (looksOnnx(prefix)) return result('onnx');
  const firstChar = prefix.toString('latin1').trimStart()[0];
  if (looksText(prefix)) return result(firstChar === '{' || firstChar === '[' ? 'json' : 'text');
  return result('unknown');
}
