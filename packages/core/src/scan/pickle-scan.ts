// Walks a pickle opcode stream (the opcodes documented in CPython's Lib/pickletools.py, protocols 0-5)
// WITHOUT executing it, and records every global it imports: GLOBAL and INST name the import inline;
// STACK_GLOBAL takes module and name from the stack, so the stack and memo are simulated (strings kept,
// everything else opaque). An import whose operands are not plain strings is reported as unresolved;
// EXT1/2/4 (imports through copyreg's extension registry) likewise. Large payloads are skipped, not read.
import type { ByteReader } from './byte-reader.js';

/** One global a pickle imports, with the absolute byte offset of the opcode that imports it. */
export interface PickleImport {
  /** `module` and `name` as the unpickler would pass them to find_class; `?` when unresolved. */
  module: string;
  name: string;
  offset: number;
  opcode: 'GLOBAL' | 'INST' | 'STACK_GLOBAL' | 'EXT1' | 'EXT2' | 'EXT4';
  /** false when the operands could not be resolved to constant strings */
  resolved: boolean;
}

/** What one pickle in the stream looked like. */
export interface PickleParse {
  imports: PickleImport[];
  /** Set when the stream is not a well-formed pickle: what and where (the unpickler would stop there). */
  error?: { message: string; offset: number };
  /** Offset just past STOP (or where parsing stopped). */
  end: number;
  protocol: number;
}

type Value = { t: 'str'; v: string } | { t: 'mark' } | { t: 'other' };

const OTHER: Value = { t: 'other' };
const MARK: Value = { t: 'mark' };
/** Strings longer than this are skipped (no module or attribute name is this long). */
const MAX_KEPT_STRING = 64 * 1024;
/** A pickle needing more memo entries or stack depth than this is refused (memory bound). */
const MAX_ENTRIES = 4_000_000;

class PickleFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const latin1 = (b: Buffer): string => b.toString('latin1');

/** Parse one pickle starting at the reader's offset, up to and including its STOP opcode. */
export async function parsePickle(reader: ByteReader): Promise<PickleParse> {
  const imports: PickleImport[] = [];
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  let protocol = 0;
  let at = reader.offset;

  const fail = (message: string): never => {
    throw new PickleFormatError(message, at);
  };
  // Fast path: the loop keeps 9 bytes buffered (opcode + the longest fixed argument), so fixed-size
  // arguments and short strings are read without awaiting; only longer pieces go through I/O.
  const fixed = (n: number): Buffer => {
    const b = reader.takeSync(n);
    if (b.length < n) fail(`truncated: needed ${n} bytes of argument`);
    return b;
  };
  const bytes = async (n: number): Promise<Buffer> => {
    if (reader.available < n) await reader.fill(n);
    return fixed(n);
  };
  const line = async (): Promise<string> => {
    const parts: number[] = [];
    for (;;) {
      const b = await reader.take(1);
      if (b.length === 0) fail('truncated: no newline ending the argument');
      if (b[0] === 0x0a) return Buffer.from(parts).toString('utf8');
      if (parts.length >= MAX_KEPT_STRING) fail('line argument longer than 64 KiB');
      parts.push(b[0]);
    }
  };
  const push = (v: Value): void => {
    if (stack.length >= MAX_ENTRIES) fail('stack deeper than the scanner allows');
    stack.push(v);
  };
  // Like CPython, MARKs are not values: popping one as an operand is an underflow of the current frame.
  const pop = (): Value => popN(1)[0];
  const popN = (n: number): Value[] => {
    if (stack.length < n || stack.slice(stack.length - n).some((v) => v.t === 'mark'))
      fail('stack underflow');
    return stack.splice(stack.length - n, n);
  };
  const popMark = (): Value[] => {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i].t === 'mark') {
        const items = stack.splice(i);
        return items.slice(1);
      }
    }
    return fail('no MARK on the stack');
  };
  const top = (): Value => (stack.length > 0 ? stack[stack.length - 1] : fail('memoize with an empty stack'));
  const put = (key: number): void => {
    if (memo.size >= MAX_ENTRIES && !memo.has(key)) fail('more memo entries than the scanner allows');
    memo.set(key, top());
  };
  const get = (key: number): void => push(memo.get(key) ?? OTHER);
  const str = async (n: number): Promise<Value> => {
    if (n > MAX_KEPT_STRING) {
      if ((await reader.skip(n)) < n) fail('truncated string');
      return OTHER;
    }
    return { t: 'str', v: (await bytes(n)).toString('utf8') };
  };
  /** A string argument of `n` bytes: synchronously when buffered. */
  const strNow = (n: number): Value | Promise<Value> =>
    n <= reader.available ? { t: 'str', v: fixed(n).toString('utf8') } : str(n);
  /** Pass over a payload: synchronously when buffered, else a promise to await. */
  const skipPayload = (n: number | bigint): Promise<void> | undefined => {
    const len = Number(n);
    if (!Number.isSafeInteger(len) || len < 0) fail('negative or huge length');
    if (len <= reader.available) {
      reader.takeSync(len);
      return undefined;
    }
    return reader.skip(len).then((done) => {
      if (done < len) fail('truncated payload');
    });
  };
  const addImport = (module: string, name: string, opcode: PickleImport['opcode'], resolved = true): void => {
    imports.push({ module, name, offset: at, opcode, resolved });
  };

  try {
    for (;;) {
      at = reader.offset;
      if (reader.available < 9) await reader.fill(9);
      const head = reader.takeSync(1);
      if (head.length === 0) fail('truncated: no STOP opcode');
      const op = head[0];
      switch (op) {
        case 0x80: // PROTO
          protocol = fixed(1)[0];
          if (protocol > 5) fail(`unsupported pickle protocol ${protocol}`);
          break;
        case 0x95: // FRAME: a length hint, the opcodes follow inline
          fixed(8);
          break;
        case 0x2e: // STOP
          pop();
          return { imports, end: reader.offset, protocol };
        case 0x28: // MARK
          push(MARK);
          break;
        case 0x30: // POP (an empty frame pops the MARK instead, as CPython does)
          if (stack.length > 0 && stack[stack.length - 1].t === 'mark') stack.pop();
          else pop();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          push(top());
          break;
        case 0x46: // FLOAT
        case 0x49: // INT
        case 0x4c: // LONG
          await line();
          push(OTHER);
          break;
        case 0x4a: // BININT
          fixed(4);
          push(OTHER);
          break;
        case 0x4b: // BININT1
          fixed(1);
          push(OTHER);
          break;
        case 0x4d: // BININT2
          fixed(2);
          push(OTHER);
          break;
        case 0x47: // BINFLOAT
          fixed(8);
          push(OTHER);
          break;
        case 0x8a: // LONG1
          {
            const pending = skipPayload(fixed(1)[0]);
            if (pending) await pending;
          }
          push(OTHER);
          break;
        case 0x8b: // LONG4
          {
            const pending = skipPayload(fixed(4).readInt32LE(0));
            if (pending) await pending;
          }
          push(OTHER);
          break;
        case 0x4e: // NONE
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
        case 0x7d: // EMPTY_DICT
        case 0x5d: // EMPTY_LIST
        case 0x29: // EMPTY_TUPLE
        case 0x8f: // EMPTY_SET
        case 0x97: // NEXT_BUFFER
          push(OTHER);
          break;
        case 0x50: // PERSID
          await line();
          push(OTHER);
          break;
        case 0x51: // BINPERSID
        case 0x98: // READONLY_BUFFER
          pop();
          push(OTHER);
          break;
        case 0x52: // REDUCE
        case 0x81: // NEWOBJ
          popN(2);
          push(OTHER);
          break;
        case 0x92: // NEWOBJ_EX
          popN(3);
          push(OTHER);
          break;
        case 0x53: // STRING: a quoted Python 2 str literal
          push(pyStringLiteral(await line()) ?? fail('STRING argument is not a quoted literal'));
          break;
        case 0x54: // BINSTRING (signed length)
          {
            const n = fixed(4).readInt32LE(0);
            if (n < 0) fail('negative BINSTRING length');
            push(
              n > MAX_KEPT_STRING ? (await skipPayload(n), OTHER) : { t: 'str', v: latin1(await bytes(n)) },
            );
          }
          break;
        case 0x55: // SHORT_BINSTRING
          {
            const n = fixed(1)[0];
            push({ t: 'str', v: latin1(n <= reader.available ? fixed(n) : await bytes(n)) });
          }
          break;
        case 0x56: // UNICODE (raw-unicode-escape, newline-terminated)
          push({ t: 'str', v: rawUnicodeEscape(await line()) });
          break;
        case 0x58: // BINUNICODE
          {
            const v = strNow(fixed(4).readUInt32LE(0));
            push(v instanceof Promise ? await v : v);
          }
          break;
        case 0x8c: // SHORT_BINUNICODE
          {
            const v = strNow(fixed(1)[0]);
            push(v instanceof Promise ? await v : v);
          }
          break;
        case 0x8d: // BINUNICODE8
          {
            const n = Number(fixed(8).readBigUInt64LE(0));
            if (!Number.isSafeInteger(n)) fail('huge BINUNICODE8 length');
            push(await str(n));
          }
          break;
        case 0x42: // BINBYTES
          {
            const pending = skipPayload(fixed(4).readUInt32LE(0));
            if (pending) await pending;
          }
          push(OTHER);
          break;
        case 0x43: // SHORT_BINBYTES
          {
            const pending = skipPayload(fixed(1)[0]);
            if (pending) await pending;
          }
          push(OTHER);
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          {
            const pending = skipPayload(fixed(8).readBigUInt64LE(0));
            if (pending) await pending;
          }
          push(OTHER);
          break;
        case 0x61: // APPEND
        case 0x62: // BUILD
          popN(2);
          push(OTHER);
          break;
        case 0x73: // SETITEM
          popN(3);
          push(OTHER);
          break;
        case 0x65: // APPENDS
        case 0x75: // SETITEMS
        case 0x90: // ADDITEMS
          popMark();
          push(popN(1)[0]);
          break;
        case 0x64: // DICT
        case 0x6c: // LIST
        case 0x74: // TUPLE
        case 0x91: // FROZENSET
          popMark();
          push(OTHER);
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: // TUPLE3
          popN(op - 0x84);
          push(OTHER);
          break;
        case 0x63: // GLOBAL "module\nname\n"
          {
            const module = await line();
            addImport(module, await line(), 'GLOBAL');
            push(OTHER);
          }
          break;
        case 0x69: // INST "module\nname\n", then the arguments since MARK
          {
            const module = await line();
            addImport(module, await line(), 'INST');
            popMark();
            push(OTHER);
          }
          break;
        case 0x6f: // OBJ: class and arguments since MARK (the class was imported earlier)
          if (popMark().length === 0) fail('OBJ without a class');
          push(OTHER);
          break;
        case 0x93: // STACK_GLOBAL
          {
            const [module, name] = popN(2);
            if (module.t === 'str' && name.t === 'str') addImport(module.v, name.v, 'STACK_GLOBAL');
            else addImport('?', '?', 'STACK_GLOBAL', false);
            push(OTHER);
          }
          break;
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
          {
            const size = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
            const code = fixed(size).readUIntLE(0, size);
            addImport(
              '?',
              `extension code ${code}`,
              op === 0x82 ? 'EXT1' : op === 0x83 ? 'EXT2' : 'EXT4',
              false,
            );
            push(OTHER);
          }
          break;
        case 0x67: // GET
          get(Number.parseInt(await line(), 10));
          break;
        case 0x68: // BINGET
          get(fixed(1)[0]);
          break;
        case 0x6a: // LONG_BINGET
          get(fixed(4).readUInt32LE(0));
          break;
        case 0x70: // PUT
          put(Number.parseInt(await line(), 10));
          break;
        case 0x71: // BINPUT
          put(fixed(1)[0]);
          break;
        case 0x72: // LONG_BINPUT
          put(fixed(4).readUInt32LE(0));
          break;
        case 0x94: // MEMOIZE
          put(memo.size);
          break;
        default:
          fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  } catch (e) {
    if (!(e instanceof PickleFormatError)) throw e;
    return { imports, error: { message: e.message, offset: e.offset }, end: reader.offset, protocol };
  }
}

/** The value of a Python 2 `repr(str)` literal ('...' or "..."), with the common escapes; else undefined. */
function pyStringLiteral(text: string): Value | undefined {
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) return undefined;
  const body = text.slice(1, -1);
  if (!body.includes('\\')) return { t: 'str', v: body };
  // Escapes other than these make the value opaque (an import from it is then unresolved: fail closed).
  const simple = body.replace(/\\(x[0-9a-fA-F]{2}|[\\'"nrt])/g, (_m, e: string) =>
    e[0] === 'x'
      ? String.fromCharCode(Number.parseInt(e.slice(1), 16))
      : ({ n: '\n', r: '\r', t: '\t' }[e] ?? e),
  );
  return simple.includes('\\') ? OTHER : { t: 'str', v: simple };
}

/** Decode Python's raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes). */
function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u?: string, U?: string) =>
    String.fromCodePoint(Number.parseInt(u ?? U ?? '0', 16)),
  );
}
