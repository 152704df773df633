// Parses the Python literal expressions `ast.literal_eval` accepts (str/bytes with every prefix, escape
// and implicit concatenation, numbers, True/False/None, tuples, lists, dicts, sets, unary +/- and
// complex sums, comments and line continuations): what numpy.lib.format reads a .npy header with.
// Only the shape of values is kept (strings in full); a construct it does not know is a SyntaxError.

/** A Python value as literal_eval would build it (numbers opaque). */
export type PyValue =
  | { t: 'str'; v: string }
  | { t: 'bytes' }
  | { t: 'int'; v: bigint }
  | { t: 'float' }
  | { t: 'complex' }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'tuple' | 'list' | 'set'; items: PyValue[] }
  | { t: 'dict'; entries: [PyValue, PyValue][] };

/** literal_eval would raise on this text. */
export class PySyntaxError extends Error {}

/** Options of parsePythonLiteral. */
export interface LiteralOptions {
  /** drop an `L` right after a number, as numpy's _filter_header does for version 1 and 2 headers */
  dropLongSuffix?: boolean;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Evaluate `text` as ast.literal_eval does (leading spaces and tabs stripped first). Throws PySyntaxError
 * where literal_eval raises.
 */
export function parsePythonLiteral(text: string, options: LiteralOptions = {}): PyValue {
  let i = 0;
  const src = text.replace(/^[ \t]+/, '');
  const fail = (why: string): never => {
    throw new PySyntaxError(`${why} at ${i}`);
  };
  /** Skip whitespace, comments and backslash-newlines; `newlines` only inside brackets. */
  const skip = (depth: number): void => {
    for (;;) {
      const c = src[i];
      if (c === ' ' || c === '\t' || c === '\f') i++;
      else if (c === '\\' && src[i + 1] === '\n') i += 2;
      else if (c === '#') while (i < src.length && src[i] !== '\n') i++;
      else if ((c === '\n' || c === '\r') && depth > 0) i++;
      else return;
    }
  };
  const stringBody = (quote: string, raw: boolean, bytes: boolean): string => {
    const triple = src.startsWith(quote.repeat(3), i);
    const end = triple ? quote.repeat(3) : quote;
    i += end.length;
    let out = '';
    for (;;) {
      if (i >= src.length) fail('unterminated string');
      if (src.startsWith(end, i)) {
        i += end.length;
        return out;
      }
      const c = src[i];
      if (!triple && c === '\n') fail('newline in string');
      if (bytes && c.charCodeAt(0) > 0x7f) fail('non-ASCII in bytes');
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = src[i + 1];
      if (e === undefined) fail('unterminated string');
      if (raw) {
        out += c + e; // a raw string keeps the backslash (and it still escapes the quote)
        i += 2;
        continue;
      }
      i += 2;
      if (ESCAPES[e] !== undefined) out += ESCAPES[e];
      else if (e >= '0' && e <= '7') {
        let digits = e;
        while (digits.length < 3 && /[0-7]/.test(src[i] ?? '')) digits += src[i++];
        out += String.fromCharCode(Number.parseInt(digits, 8));
      } else if (e === 'x' || (!bytes && (e === 'u' || e === 'U'))) {
        const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = src.slice(i, i + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail(`truncated \\${e} escape`);
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff) fail('escape out of range');
        out += String.fromCodePoint(cp);
        i += width;
      } else if (!bytes && e === 'N') fail('\\N{...} escapes are not supported');
      else out += '\\' + e;
    }
  };
  const atom = (depth: number): PyValue => {
    skip(depth);
    const c = src[i];
    if (c === undefined) return fail('unexpected end');
    const prefix = /^(rb|br|Rb|bR|RB|BR|rB|Br|[rRbBuU])?(['"])/.exec(src.slice(i, i + 3));
    if (prefix) {
      // adjacent string literals concatenate; str and bytes do not mix
      let kind: 'str' | 'bytes' | undefined;
      let value = '';
      for (;;) {
        skip(depth);
        const m = /^(rb|br|Rb|bR|RB|BR|rB|Br|[rRbBuU])?(['"])/.exec(src.slice(i, i + 3));
        if (!m) break;
        const p = (m[1] ?? '').toLowerCase();
        const isBytes = p.includes('b');
        if (kind !== undefined && kind !== (isBytes ? 'bytes' : 'str')) fail('cannot mix bytes and str');
        kind = isBytes ? 'bytes' : 'str';
        i += p.length;
        value += stringBody(m[2], p.includes('r'), isBytes);
      }
      return kind === 'bytes' ? { t: 'bytes' } : { t: 'str', v: value };
    }
    if (c === '(' || c === '[' || c === '{') return container(c, depth);
    if (c === '-' || c === '+') {
      i++;
      const v = atom(depth);
      if (v.t !== 'int' && v.t !== 'float' && v.t !== 'complex') fail('bad operand for unary sign');
      return v.t === 'int' && c === '-' ? { t: 'int', v: -(v as { v: bigint }).v } : v;
    }
    const num =
      /^(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|((\d(_?\d)*)?\.\d(_?\d)*|\d(_?\d)*\.?)([eE][+-]?\d(_?\d)*)?[jJ]?)/.exec(
        src.slice(i),
      );
    if (num && num[0] !== '') {
      const t = num[0];
      i += t.length;
      if (options.dropLongSuffix === true && src[i] === 'L' && !/[\w]/.test(src[i + 1] ?? '')) i++;
      if (/[jJ]$/.test(t)) return { t: 'complex' };
      if (/^0[xXoObB]/.test(t)) return { t: 'int', v: BigInt(t.replace(/_/g, '').toLowerCase()) };
      if (/[.eE]/.test(t)) return { t: 'float' };
      const digits = t.replace(/_/g, '');
      if (/^0+\d/.test(digits)) fail('leading zeros in a decimal integer');
      if (digits.length > 4300) fail('integer string too long');
      if (/^[A-Za-z_]/.test(src[i] ?? '')) fail('invalid decimal literal');
      return { t: 'int', v: BigInt(digits) };
    }
    const name = /^[A-Za-z_]\w*/.exec(src.slice(i))?.[0];
    if (name === 'True' || name === 'False') {
      i += name.length;
      return { t: 'bool', v: name === 'True' };
    }
    if (name === 'None') {
      i += 4;
      return { t: 'none' };
    }
    return fail(`unexpected ${JSON.stringify(c)}`);
  };
  /** An atom, then `+ number` / `- number` (literal_eval allows them only to build complex numbers). */
  const expr = (depth: number): PyValue => {
    let left = atom(depth);
    for (;;) {
      skip(depth);
      const op = src[i];
      if (op !== '+' && op !== '-') return left;
      i++;
      const right = atom(depth);
      const numeric = (v: PyValue): boolean => v.t === 'int' || v.t === 'float';
      if (!numeric(left) || right.t !== 'complex') fail('only real +/- complex sums are literals');
      left = { t: 'complex' };
    }
  };
  const container = (open: '(' | '[' | '{', depth: number): PyValue => {
    i++;
    const close = open === '(' ? ')' : open === '[' ? ']' : '}';
    const items: PyValue[] = [];
    const entries: [PyValue, PyValue][] = [];
    let commas = 0;
    let isDict: boolean | undefined = open === '{' ? undefined : false;
    for (;;) {
      skip(depth + 1);
      if (src[i] === close) {
        i++;
        break;
      }
      const key = expr(depth + 1);
      skip(depth + 1);
      if (isDict === undefined) isDict = src[i] === ':';
      if (isDict) {
        if (src[i] !== ':') fail("expected ':'");
        i++;
        entries.push([key, expr(depth + 1)]);
      } else items.push(key);
      skip(depth + 1);
      if (src[i] === ',') {
        i++;
        commas++;
      } else if (src[i] !== close) fail(`expected ',' or '${close}'`);
    }
    if (open === '(') return items.length === 1 && commas === 0 ? items[0] : { t: 'tuple', items };
    if (open === '[') return { t: 'list', items };
    if (isDict === false) return { t: 'set', items };
    return { t: 'dict', entries };
  };
  const value = expr(0);
  skip(0);
  while (src[i] === '\n' || src[i] === '\r') {
    i++;
    skip(0);
  }
  if (i !== src.length) fail('trailing text');
  return value;
}
