// Validates a safetensors header (https://github.com/huggingface/safetensors, "Format"): an 8-byte
// little-endian header length N, N bytes of a UTF-8 JSON object starting with `{`, then the data
// section. Every tensor's dtype must be known, shape x dtype size must equal its offsets' span, and the
// tensors must tile the data section exactly: no overlap, no hole, nothing past the end of the file.

/** The safetensors library refuses headers larger than this. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** Bits per element of every dtype the format defines. */
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** The header length N a file's first 8 bytes declare, if they plausibly start a safetensors file. */
export function safetensorsHeaderLength(prefix: Buffer, fileSize: number): number | undefined {
  if (prefix.length < 9 || prefix[8] !== 0x7b) return undefined;
  const n = prefix.readBigUInt64LE(0);
  if (n < 2n || n > BigInt(SAFETENSORS_MAX_HEADER) || n > BigInt(fileSize - 8)) return undefined;
  return Number(n);
}

/** One problem with a header: what, and which tensor (byte offsets are those of the file). */
export interface HeaderProblem {
  message: string;
  offset: number;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Check `header` (the N JSON bytes after the length) of a file of `fileSize` bytes. Returns the problems
 * found (empty when valid) and the number of tensors.
 */
export function validateSafetensorsHeader(
  header: Buffer,
  fileSize: number,
): { problems: HeaderProblem[]; tensors: number } {
  const problems: HeaderProblem[] = [];
  const at = (message: string, offset = 8): void => void problems.push({ message, offset });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch (e) {
    at(`header is not UTF-8 JSON: ${(e as Error).message.slice(0, 120)}`);
    return { problems, tensors: 0 };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    at('header is not a JSON object');
    return { problems, tensors: 0 };
  }
  const dataSize = fileSize - 8 - header.length;
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      const ok =
        info !== null &&
        typeof info === 'object' &&
        !Array.isArray(info) &&
        Object.values(info).every((v) => typeof v === 'string');
      if (!ok) at('__metadata__ is not an object of strings');
      continue;
    }
    if (info === null || typeof info !== 'object' || Array.isArray(info)) {
      at(`tensor "${name}" is not an object`);
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const bits =
      typeof dtype === 'string' && Object.hasOwn(DTYPE_BITS, dtype) ? DTYPE_BITS[dtype] : undefined;
    if (bits === undefined) at(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      at(`tensor "${name}" has a shape that is not a list of non-negative integers`);
      continue;
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isCount) ||
      offsets[0] > offsets[1]
    ) {
      at(`tensor "${name}" has data_offsets that are not [begin, end] with begin <= end`);
      continue;
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataSize)
      at(`tensor "${name}" ends at data offset ${end}, past the ${dataSize}-byte data section`);
    if (bits !== undefined) {
      const totalBits = shape.reduce((acc: bigint, d: number) => acc * BigInt(d), 1n) * BigInt(bits);
      if (totalBits % 8n !== 0n || totalBits / 8n !== BigInt(end - begin)) {
        at(
          `tensor "${name}": shape ${JSON.stringify(shape)} x ${dtype as string} is ${totalBits / 8n} bytes, data_offsets span ${end - begin}`,
        );
      }
    }
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of spans) {
    if (s.begin < cursor)
      at(
        `tensor "${s.name}" overlaps the previous tensor (data offset ${s.begin} < ${cursor})`,
        8 + header.length + s.begin,
      );
    else if (s.begin > cursor)
      at(
        `hole in the data section before tensor "${s.name}" (data offsets ${cursor}..${s.begin})`,
        8 + header.length + cursor,
      );
    cursor = Math.max(cursor, s.end);
  }
  if (cursor < dataSize)
    at(
      `${dataSize - cursor} bytes after the last tensor are not covered by the header`,
      8 + header.length + cursor,
    );
  return { problems, tensors: spans.length };
}
