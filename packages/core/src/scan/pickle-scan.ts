// Walks a pickle opcode stream (the opcodes documented in CPython's Lib/pickletools.py, protocols 0-5)
// WITHOUT executing it, and records every global it imports: GLOBAL and INST name the import inline;
// STACK_GLOBAL takes module and name from the stack, so the stack and memo are simulated (strings kept,
// everything else opaque). An import whose operands are not plain strings is reported as unresolved;
// EXT1/2/4 (imports through copyreg's extension registry) likewise. Large payloads are skipped, not read.
import type { ByteReader } from './byte-reader.js';
import { compatName } from './compat-pickle.js';
import {
  decodeEscapedBytes,
  decodeRawUnicodeEscape,
  pyIntBase10,
  strictAscii,
  strictUtf8,
} from './pickle-arguments.js';

/** One global a pickle imports, with the absolute byte offset of the opcode that imports it. */
export interface PickleImport {
  /**
   * `module` and `name` as find_class imports them (Python 2 names mapped under protocols 0-2, as
   * CPython's fix_imports does); `?` when unresolved.
   */
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
  error?: { message: string; offset: number; kind: PickleErrorKind };
  /** Offset just past STOP (or where parsing stopped). */
  end: number;
  protocol: number;
  /** Offset of the first PERSID/BINPERSID: a loader without persistent_load (plain pickle.load) stops there. */
  firstPersistentId?: number;
}

type Value = { t: 'str'; v: string } | { t: 'mark' } | { t: 'other' };

const OTHER: Value = { t: 'other' };
const MARK: Value = { t: 'mark' };
/** Strings longer than this are not kept (no module or attribute name is this long): they are opaque. */
const MAX_KEPT_STRING = 64 * 1024;
/**
 * A line argument (INT, FLOAT, PERSID, UNICODE, ...) running longer than this without a newline stops the
 * parse as a scanner limit (the file is then flagged, never clean): pickle.load would read on to the next
 * newline, however far, but the scanner does not read a whole multi-GB file for it. About 1 in 25 benign
 * safetensors files starts with such an opcode (the header length's low byte) and has no newline in a
 * zero-filled data section. Above the largest safetensors header (100 MB) so that no header alone trips it.
 */
export const MAX_LINE_BYTES = 128 * 1024 * 1024;
/** A pickle needing more memo entries or stack depth than this is refused (memory bound). */
const MAX_ENTRIES = 4_000_000;

/** Why parsing stopped: the loader would stop there too (`format`), or only the scanner does (`limit`). */
export type PickleErrorKind = 'format' | 'limit';

class PickleFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly kind: PickleErrorKind,
  ) {
    super(message);
  }
}

/** How the loader that reads this pickle is set up. */
export interface ParsePickleOptions {
  /**
   * The unpickler has a persistent_load (torch.load's main pickle, torch zip data.pkl): PERSID and
   * BINPERSID are accepted. Plain pickle.load has none and stops there. Default true.
   */
  persistentLoad?: boolean;
}

const str = (v: string | undefined): Value => (v === undefined ? OTHER : { t: 'str', v });

/**
 * Parse one pickle starting at the reader's offset, up to and including its STOP opcode, the way
 * CPython's C unpickler reads it: any opcode may come first (PROTO is optional), the stream ends at
 * STOP, memo keys of GET/PUT are read with int() semantics, a GET of a key never PUT stops the load.
 * Never throws for bad input: `error` says where and why it stopped.
 */
export async function parsePickle(
  reader: ByteReader,
  options: ParsePickleOptions = {},
): Promise<PickleParse> {
  const persistentLoad = options.persistentLoad ?? true;
  const imports: PickleImport[] = [];
  const stack: Value[] = [];
  const memo = new Map<bigint | number, Value>();
  let protocol = 0;
  let at = reader.offset;
  let firstPersistentId: number | undefined;
  const persistentId = (): void => {
    if (!persistentLoad) fail('A load persistent id instruction was encountered, but no persistent_load');
    firstPersistentId ??= at;
  };

  const fail = (message: string, kind: PickleErrorKind = 'format'): never => {
    throw new PickleFormatError(message, at, kind);
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
  /**
   * A newline-terminated argument (newline included), like _Unpickler_Readline: any length. Bytes past
   * `keep` are passed over, not kept; the result is then undefined (an opaque value).
   */
  const line = async (keep = MAX_KEPT_STRING): Promise<Buffer | undefined> => {
    const parts: Buffer[] = [];
    let kept = 0;
    let seen = 0;
    for (;;) {
      if (reader.available === 0) await reader.fill(1);
      const piece = reader.takeUntilSync(0x0a);
      if (piece.length === 0) fail('truncated: no newline ending the argument');
      seen += piece.length;
      if (seen > MAX_LINE_BYTES && piece[piece.length - 1] !== 0x0a)
        fail(
          `a line argument runs over ${MAX_LINE_BYTES} bytes without a newline; the scanner reads no further`,
          'limit',
        );
      if (kept <= keep) {
        parts.push(Buffer.from(piece));
        kept += piece.length;
      }
      if (piece[piece.length - 1] === 0x0a) return kept <= keep + 1 ? Buffer.concat(parts) : undefined;
    }
  };
  /** A line argument without its newline, kept whole (undefined when longer than the scanner keeps). */
  const lineBody = async (): Promise<Buffer | undefined> => (await line())?.subarray(0, -1);
  const push = (v: Value): void => {
    if (stack.length >= MAX_ENTRIES) fail('stack deeper than the scanner allows', 'limit');
    stack.push(v);
  };
  // Like CPython, MARKs are not values: popping one as an operand is an underflow of the current frame.
  const pop = (): Value => popN(1)[0];
  const popN = (n: number): Value[] => {
    if (stack.length < n) fail('unpickling stack underflow');
    for (let i = stack.length - n; i < stack.length; i++)
      if (stack[i] === MARK) fail('unpickling stack underflow');
    return stack.splice(stack.length - n, n);
  };
  const popMark = (): Value[] => {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i] === MARK) {
        const items = stack.splice(i);
        return items.slice(1);
      }
    }
    return fail('could not find MARK');
  };
  /** The top value; as in CPython, a MARK (or nothing) there is an underflow. */
  const top = (): Value => {
    const v = stack[stack.length - 1];
    return v === undefined || v === MARK ? fail('unpickling stack underflow') : v;
  };
  const put = (key: bigint | number): void => {
    const value = top();
    if (memo.size >= MAX_ENTRIES && !memo.has(key))
      fail('more memo entries than the scanner allows', 'limit');
    memo.set(key, value);
  };
  const get = (key: bigint | number): void =>
    push(memo.get(key) ?? fail(`Memo value not found at index ${key}`));
  /** A memo key from a GET/PUT line, read as C's PyLong_FromString(line, NULL, 10); BINGET keys are numbers. */
  const lineKey = async (op: string): Promise<bigint | number> => {
    const text = await line();
    if (text === undefined) fail(`${op} argument longer than the scanner reads`, 'limit');
    const key = pyIntBase10(text as Buffer);
    if (key === undefined) return fail(`invalid literal for int() in ${op}`);
    // keys that fit a double are stored as numbers, so BINPUT 5 and PUT 5 name the same entry
    return key >= -(2n ** 53n) && key <= 2n ** 53n ? Number(key) : key;
  };
  const strFromBytes = async (n: number, decode: (b: Buffer) => string | undefined): Promise<Value> => {
    if (n > MAX_KEPT_STRING) {
      if ((await reader.skip(n)) < n) fail('truncated string');
      return OTHER;
    }
    return str(decode(n <= reader.available ? fixed(n) : await bytes(n)));
  };
  /** A string argument of `n` bytes: synchronously when buffered. */
  const strNow = (n: number, decode: (b: Buffer) => string | undefined): Value | Promise<Value> =>
    n <= reader.available ? str(decode(fixed(n))) : strFromBytes(n, decode);
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
    // find_class maps Python 2 names under protocols 0-2 (fix_imports): __builtin__.eval is builtins.eval
    const [m, n] = resolved ? compatName(module, name, protocol) : [module, name];
    imports.push({ module: m, name: n, offset: at, opcode, resolved });
  };
  /** GLOBAL/INST: two UTF-8 lines (strict: CPython stops on bad UTF-8). */
  const globalLines = async (opcode: 'GLOBAL' | 'INST'): Promise<void> => {
    const moduleBytes = await lineBody();
    const nameBytes = await lineBody();
    const module = moduleBytes && strictUtf8(moduleBytes);
    const name = nameBytes && strictUtf8(nameBytes);
    if ((moduleBytes && module === undefined) || (nameBytes && name === undefined))
      fail(`${opcode} names are not UTF-8`);
    if (module === undefined || name === undefined) addImport('?', '?', opcode, false);
    else addImport(module, name, opcode);
  };

  try {
    for (;;) {
      at = reader.offset;
      if (reader.available < 9) await reader.fill(9);
      const head = reader.takeSync(1);
      if (head.length === 0) fail('truncated: no STOP opcode');
      const op = head[0];
      switch (op) {
        case 0x80: // PROTO (anywhere, any number of times; at most HIGHEST_PROTOCOL)
          protocol = fixed(1)[0];
          if (protocol > 5) fail(`unsupported pickle protocol: ${protocol}`);
          break;
        case 0x95: // FRAME: a length hint, the opcodes follow inline
          if (fixed(8).readBigUInt64LE(0) > 0x7fffffffffffffffn) fail('FRAME length exceeds the maximum');
          break;
        case 0x2e: // STOP
          pop();
          return {
            imports,
            end: reader.offset,
            protocol,
            ...(firstPersistentId === undefined ? {} : { firstPersistentId }),
          };
        case 0x28: // MARK
          push(MARK);
          break;
        case 0x30: // POP (an empty frame pops the MARK instead, as CPython does)
          if (stack.length > 0 && stack[stack.length - 1] === MARK) stack.pop();
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
        case 0x4c: // LONG: the value never names an import, so any line is taken (over-approximation)
          await line(0);
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
            const n = fixed(4).readInt32LE(0);
            if (n < 0) fail('LONG pickle has negative byte count');
            const pending = skipPayload(n);
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
          persistentId();
          await line(0);
          push(OTHER);
          break;
        case 0x51: // BINPERSID
          persistentId();
          pop();
          push(OTHER);
          break;
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
        case 0x53: // STRING: a quoted Python 2 str literal, escape-decoded, then ASCII
          {
            const body = await lineBody();
            if (body === undefined) push(OTHER);
            else {
              const q = body[0];
              if (body.length < 2 || (q !== 0x22 && q !== 0x27) || body[body.length - 1] !== q)
                fail('the STRING opcode argument must be quoted');
              const raw = decodeEscapedBytes(body.subarray(1, -1));
              if (raw === undefined) fail('invalid escape in STRING');
              push(str(strictAscii(raw as Buffer)));
            }
          }
          break;
        case 0x54: // BINSTRING (signed length)
          {
            const n = fixed(4).readInt32LE(0);
            if (n < 0) fail('BINSTRING pickle has negative byte count');
            push(await strFromBytes(n, strictAscii));
          }
          break;
        case 0x55: // SHORT_BINSTRING
          {
            const v = strNow(fixed(1)[0], strictAscii);
            push(v instanceof Promise ? await v : v);
          }
          break;
        case 0x56: // UNICODE (raw-unicode-escape, newline-terminated)
          {
            const body = await lineBody();
            if (body === undefined) push(OTHER);
            else {
              const v = decodeRawUnicodeEscape(body);
              if (v === undefined) fail('invalid raw-unicode-escape in UNICODE');
              push(str(v));
            }
          }
          break;
        case 0x58: // BINUNICODE
          {
            const v = strNow(fixed(4).readUInt32LE(0), strictUtf8);
            push(v instanceof Promise ? await v : v);
          }
          break;
        case 0x8c: // SHORT_BINUNICODE
          {
            const v = strNow(fixed(1)[0], strictUtf8);
            push(v instanceof Promise ? await v : v);
          }
          break;
        case 0x8d: // BINUNICODE8
          {
            const n = Number(fixed(8).readBigUInt64LE(0));
            if (!Number.isSafeInteger(n)) fail('huge BINUNICODE8 length');
            push(await strFromBytes(n, strictUtf8));
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
          await globalLines('GLOBAL');
          push(OTHER);
          break;
        case 0x69: // INST "module\nname\n", then the arguments since MARK
          await globalLines('INST');
          popMark();
          push(OTHER);
          break;
        case 0x6f: // OBJ: class and arguments since MARK (the class was imported earlier)
          if (popMark().length === 0) fail('unpickling stack underflow');
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
          get(await lineKey('GET'));
          break;
        case 0x68: // BINGET
          get(fixed(1)[0]);
          break;
        case 0x6a: // LONG_BINGET
          get(fixed(4).readUInt32LE(0));
          break;
        case 0x70: // PUT
          {
            const key = await lineKey('PUT');
            if (key < 0) fail('negative PUT argument');
            put(key);
          }
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
          fail(`invalid load key, 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  } catch (e) {
    if (!(e instanceof PickleFormatError)) throw e;
    return {
      imports,
      error: { message: e.message, offset: e.offset, kind: e.kind },
      end: reader.offset,
      protocol,
      ...(firstPersistentId === undefined ? {} : { firstPersistentId }),
    };
  }
}
