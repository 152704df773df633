// Validates a safetensors header (https://github.com/huggingface/safetensors, "Format"): an 8-byte
// little-endian header length N, N bytes of a UTF-8 JSON object starting with `{`, then the data
// section. Every tensor's dtype must be known, shape x dtype size must equal its offsets' span, and the
// tensors must tile the data section exactly: no overlap, no hole, nothing past the end of the file.
// A name given twice is refused too: JSON.parse keeps the last, another loader may keep the first,
// and a header two parsers read differently can hide a tensor from a review.

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

/**
 * Names that occur more than once among the top-level keys of `text`, a JSON object JSON.parse has
 * accepted (so only strings, nesting and key/value positions need tracking). Keys are compared after
 * unescaping: `"a\u0062"` and `"ab"` are the same name.
 */
export function duplicateTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) duplicates.add(key);
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return [...duplicates];
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
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(header);
    parsed = JSON.parse(text);
  } catch (e) {
    at(`header is not UTF-8 JSON: ${(e as Error).message.slice(0, 120)}`);
    return { problems, tensors: 0 };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    at('header is not a JSON object');
    return { problems, tensors: 0 };
  }
  for (const name of duplicateTopLevelKeys(text))
    at(`"${name}" is named more than once in the header (loaders disagree on which one counts)`);
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
