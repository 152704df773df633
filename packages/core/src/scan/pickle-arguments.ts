// Decodes the line-based arguments of protocol 0 pickle opcodes exactly as CPython's C unpickler
// (Modules/_pickle.c, the one `pickle.load` uses) does: memo keys through PyLong_FromString(s, NULL, 10)
// on the NUL-terminated line, STRING through PyBytes_DecodeEscape, UNICODE through raw-unicode-escape.
// Each returns undefined where CPython raises, so the scanner stops where the loader stops.

/** Python's Py_ISSPACE for bytes: space, \t, \n, \v, \f, \r. */
const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
/** sys.int_info.default_max_str_digits: longer decimal strings raise ValueError. */
const MAX_STR_DIGITS = 4300;

/**
 * The integer CPython's PyLong_FromString(line, NULL, 10) reads from `line` (the argument bytes,
 * newline included), or undefined where it raises. The C string ends at the first NUL; leading and
 * trailing whitespace, a sign, leading zeros and single underscores between digits are accepted
 * (so `PUT 1_0` stores at key 10 and `GET 12\0junk` reads key 12).
 */
export function pyIntBase10(line: Buffer): bigint | undefined {
  const nul = line.indexOf(0);
  const s = nul < 0 ? line : line.subarray(0, nul);
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  let negative = false;
  if (s[i] === 0x2b) i++;
  else if (s[i] === 0x2d) {
    negative = true;
    i++;
  }
  let digits = '';
  let prevUnderscore = false;
  for (; i < s.length; i++) {
    const b = s[i];
    if (isDigit(b)) {
      digits += String.fromCharCode(b);
      prevUnderscore = false;
    } else if (b === 0x5f) {
      // no leading, doubled or trailing underscore
      if (digits === '' || prevUnderscore) return undefined;
      prevUnderscore = true;
    } else break;
  }
  if (digits === '' || prevUnderscore || digits.length > MAX_STR_DIGITS) return undefined;
  while (i < s.length && isSpace(s[i])) i++;
  if (i !== s.length) return undefined;
  const value = BigInt(digits);
  return negative ? -value : value;
}

const SIMPLE_ESCAPES: Readonly<Record<number, number>> = {
  0x5c: 0x5c, // \\
  0x27: 0x27, // \'
  0x22: 0x22, // \"
  0x62: 0x08, // \b
  0x66: 0x0c, // \f
  0x74: 0x09, // \t
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x76: 0x0b, // \v
  0x61: 0x07, // \a
};

const hexValue = (b: number): number =>
  isDigit(b) ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1;

/**
 * The bytes PyBytes_DecodeEscape makes of `body` (a STRING argument without its quotes): the C escapes,
 * `\` + newline dropped, 1-3 octal digits, `\x` + exactly two hex digits (else undefined, as CPython
 * raises), and any other `\c` kept as both bytes.
 */
export function decodeEscapedBytes(body: Buffer): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b !== 0x5c) {
      out.push(b);
      continue;
    }
    if (++i >= body.length) return undefined; // "Trailing \ in string"
    const c = body[i];
    if (c === 0x0a) continue;
    if (SIMPLE_ESCAPES[c] !== undefined) out.push(SIMPLE_ESCAPES[c]);
    else if (c >= 0x30 && c <= 0x37) {
      let v = c - 0x30;
      for (let k = 0; k < 2 && i + 1 < body.length && body[i + 1] >= 0x30 && body[i + 1] <= 0x37; k++)
        v = v * 8 + body[++i] - 0x30;
      out.push(v & 0xff);
    } else if (c === 0x78) {
      const hi = i + 1 < body.length ? hexValue(body[i + 1]) : -1;
      const lo = i + 2 < body.length ? hexValue(body[i + 2]) : -1;
      if (hi < 0 || lo < 0) return undefined;
      out.push(hi * 16 + lo);
      i += 2;
    } else out.push(0x5c, c);
  }
  return Buffer.from(out);
}

/**
 * The text Python's raw-unicode-escape codec makes of `bytes` (an UNICODE argument): each byte is a
 * Latin-1 character except `\uXXXX` and `\UXXXXXXXX` (an odd run of backslashes before u/U); a
 * truncated or out-of-range escape is undefined, as the codec raises.
 */
export function decodeRawUnicodeEscape(bytes: Buffer): string | undefined {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x5c) {
      out += String.fromCharCode(b);
      continue;
    }
    // count the run of backslashes: only an odd one escapes what follows
    let j = i;
    while (j < bytes.length && bytes[j] === 0x5c) j++;
    const run = j - i;
    const next = bytes[j];
    out += '\\'.repeat(run - 1);
    if (run % 2 === 0 || (next !== 0x75 && next !== 0x55)) {
      out += '\\';
      i = j - 1;
      continue;
    }
    const width = next === 0x75 ? 4 : 8;
    let cp = 0;
    for (let k = 1; k <= width; k++) {
      const h = j + k < bytes.length ? hexValue(bytes[j + k]) : -1;
      if (h < 0) return undefined;
      cp = cp * 16 + h;
    }
    if (cp > 0x10ffff) return undefined;
    out += String.fromCodePoint(cp);
    i = j + width;
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `bytes` as strict UTF-8 (what GLOBAL/INST names and BINUNICODE strings are), or undefined if invalid. */
export function strictUtf8(bytes: Buffer): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** `bytes` as ASCII (the default `encoding` of pickle.load for Python 2 str), or undefined. */
export function strictAscii(bytes: Buffer): string | undefined {
  for (const b of bytes) if (b > 0x7f) return undefined;
  return bytes.toString('latin1');
}
