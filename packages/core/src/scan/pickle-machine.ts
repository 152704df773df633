// The synchronous core of the pickle walk: the stack, mark and memo simulation of CPython's C unpickler
// (Modules/_pickle.c), and a loop that runs opcodes over a window of buffered bytes by index (integer
// reads, no per-opcode Buffer views, strings decoded through a small cache). An opcode that does not
// fit the window, a payload to pass over, or a line argument without its newline in the window stops the
// loop with a status; the async driver in pickle-scan.ts does the I/O and resumes it.
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

/** Why parsing stopped: the loader would stop there too (`format`), or only the scanner does (`limit`). */
export type PickleErrorKind = 'format' | 'limit';

/** Where and why the walk stopped; thrown by the machine, caught by parsePickle. */
export class PickleFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly kind: PickleErrorKind,
    /** the input ended inside the opcode (the walk read to the end of the input) */
    readonly truncated = false,
  ) {
    super(message);
  }
}

/** Strings longer than this are not kept (no module or attribute name is this long): they are opaque. */
export const MAX_KEPT_STRING = 64 * 1024;
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
/** Memo keys below this that arrive in order live in an array; others in a Map. */
const DENSE_MEMO_KEYS = 1 << 24;
/** ASCII strings up to this length go through the decode cache. */
const CACHED_STRING_BYTES = 64;
const CACHE_SLOTS = 16384;

/** A stack or memo value: a string (kept for STACK_GLOBAL) or anything else (0). */
type Value = string | 0;
const OTHER = 0;
type MemoKey = number | bigint;

/** What stopped `run` (`Running` while it runs). */
export const RunStatus = {
  Running: 0,
  /** STOP was reached; the pickle is complete. */
  Done: 1,
  /** the opcode at the returned index needs `need` contiguous bytes from there (window ran out) */
  Need: 2,
  /** an opcode's header was consumed; pass over `skipLength` bytes, then push an opaque value */
  Skip: 3,
  /** a line-argument opcode at the returned index has no newline in the window */
  Line: 4,
} as const;
/** One of RunStatus. */
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

const TWO_POW_32 = 0x1_0000_0000;
/** The high word of a u64 at or above which the value is no longer a safe integer (2^53). */
const UNSAFE_HIGH_WORD = 0x20_0000;

/** The unpickler state; `run` advances it over buffered bytes. */
export class PickleMachine {
  readonly imports: PickleImport[] = [];
  protocol = 0;
  firstPersistentId: number | undefined;
  /** Absolute offset of the opcode being run (for imports and errors). */
  at = 0;
  status: RunStatus = RunStatus.Need;
  need = 1;
  skipLength = 0;
  skipMessage = '';

  private readonly stack: Value[] = [];
  private sp = 0;
  private readonly marks: number[] = [];
  private mp = 0;
  private readonly memoDense: Value[] = [];
  private readonly memoSparse = new Map<MemoKey, Value>();
  private memoCount = 0;
  private readonly cache: string[] = new Array<string>(CACHE_SLOTS).fill('');

  constructor(private readonly persistentLoad: boolean) {}

  fail(message: string, kind: PickleErrorKind = 'format'): never {
    throw new PickleFormatError(message, this.at, kind);
  }

  /** The input ended inside the opcode at `at`. */
  truncated(message: string): never {
    throw new PickleFormatError(message, this.at, 'format', true);
  }

  private push(v: Value): void {
    if (this.sp + this.mp >= MAX_ENTRIES) this.fail('stack deeper than the scanner allows', 'limit');
    this.stack[this.sp++] = v;
  }

  /** The current frame starts at the last MARK; CPython's fence. */
  private fence(): number {
    return this.mp === 0 ? 0 : this.marks[this.mp - 1];
  }

  /** Drop `n` values of the current frame (a MARK is not a value: reaching it is an underflow). */
  private popN(n: number): void {
    if (this.sp - n < this.fence()) this.fail('unpickling stack underflow');
    this.sp -= n;
  }

  private pop(): Value {
    this.popN(1);
    return this.stack[this.sp];
  }

  /** Pop back to the last MARK; returns how many values were above it. */
  private popMark(): number {
    if (this.mp === 0) this.fail('could not find MARK');
    const mark = this.marks[--this.mp];
    const count = this.sp - mark;
    this.sp = mark;
    return count;
  }

  private top(): Value {
    if (this.sp <= this.fence()) this.fail('unpickling stack underflow');
    return this.stack[this.sp - 1];
  }

  private put(key: MemoKey): void {
    const value = this.top();
    const dense = this.memoDense;
    if (typeof key === 'number' && key >= 0 && key <= dense.length && key < DENSE_MEMO_KEYS) {
      if (key === dense.length) {
        // a key put out of order earlier moves here; it was already counted
        if (this.memoSparse.delete(key)) dense.push(value);
        else {
          this.countNewMemo();
          dense.push(value);
        }
      } else dense[key] = value;
      return;
    }
    if (!this.memoSparse.has(key)) this.countNewMemo();
    this.memoSparse.set(key, value);
  }

  private countNewMemo(): void {
    if (this.memoCount >= MAX_ENTRIES) this.fail('more memo entries than the scanner allows', 'limit');
    this.memoCount++;
  }

  private get(key: MemoKey): void {
    const v =
      typeof key === 'number' && key >= 0 && key < this.memoDense.length
        ? this.memoDense[key]
        : this.memoSparse.get(key);
    if (v === undefined) this.fail(`Memo value not found at index ${key}`);
    this.push(v);
  }

  private persistentId(): void {
    if (!this.persistentLoad)
      this.fail('A load persistent id instruction was encountered, but no persistent_load');
    this.firstPersistentId ??= this.at;
  }

  private addImport(module: string, name: string, opcode: PickleImport['opcode'], resolved = true): void {
    // find_class maps Python 2 names under protocols 0-2 (fix_imports): __builtin__.eval is builtins.eval
    const [m, n] = resolved ? compatName(module, name, this.protocol) : [module, name];
    this.imports.push({ module: m, name: n, offset: this.at, opcode, resolved });
  }

  /**
   * buf[s, e) as a kept string: strict UTF-8 (`utf8`) or ASCII; OTHER when it does not decode (the
   * value can then never name an import). Short ASCII strings come from a direct-mapped cache checked
   * byte for byte, so repeated names cost no allocation.
   */
  private text(buf: Buffer, s: number, e: number, utf8: boolean): Value {
    const len = e - s;
    if (len <= CACHED_STRING_BYTES) {
      let h = len;
      let high = 0;
      for (let k = s; k < e; k++) {
        const b = buf[k];
        high |= b;
        h = Math.imul(h ^ b, 0x01000193);
      }
      if (high < 0x80) {
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        const slot = (h ^ (h >>> 13)) & (CACHE_SLOTS - 1);
        const hit = this.cache[slot];
        if (hit.length === len) {
          let k = 0;
          while (k < len && hit.charCodeAt(k) === buf[s + k]) k++;
          if (k === len) return hit;
        }
        const v = buf.toString('latin1', s, e);
        this.cache[slot] = v;
        return v;
      }
    }
    return (utf8 ? strictUtf8(buf.subarray(s, e)) : strictAscii(buf.subarray(s, e))) ?? OTHER;
  }

  /** `len` payload bytes after an `hdr`-byte opcode at i: passed over in the window, or left to Skip. */
  private payload(i: number, hdr: number, len: number, n: number, message: string): number {
    if (len <= n - i - hdr) {
      this.push(OTHER);
      return i + hdr + len;
    }
    this.status = RunStatus.Skip;
    this.skipLength = len;
    this.skipMessage = message;
    return i + hdr;
  }

  /** A kept string of `len` bytes after an `hdr`-byte opcode at i; longer than kept: opaque. */
  private string(buf: Buffer, i: number, hdr: number, len: number, n: number, utf8: boolean): number {
    if (len > MAX_KEPT_STRING) return this.payload(i, hdr, len, n, 'truncated string');
    if (len > n - i - hdr) return this.needing(i, hdr + len);
    this.push(this.text(buf, i + hdr, i + hdr + len, utf8));
    return i + hdr + len;
  }

  private needing(i: number, bytes: number): number {
    this.status = RunStatus.Need;
    this.need = bytes;
    return i;
  }

  /** A u64 length at buf[i]; fails with `message` when it is not a safe integer. */
  private u64(buf: Buffer, i: number, message: string): number {
    const high = buf.readUInt32LE(i + 4);
    if (high >= UNSAFE_HIGH_WORD) this.fail(message);
    return high * TWO_POW_32 + buf.readUInt32LE(i);
  }

  /**
   * Run opcodes of buf[i, n) (buf[i] is at absolute offset base + i) until STOP, or until an opcode needs
   * what the window does not hold; `status` says which. Returns the index reached. Throws
   * PickleFormatError where the unpickler would stop.
   */
  run(buf: Buffer, i: number, n: number, base: number): number {
    this.status = RunStatus.Running;
    while (i < n) {
      const op = buf[i];
      this.at = base + i;
      const left = n - i;
      switch (op) {
        case 0x80: // PROTO (anywhere, any number of times; at most HIGHEST_PROTOCOL)
          if (left < 2) return this.needing(i, 2);
          this.protocol = buf[i + 1];
          if (this.protocol > 5) this.fail(`unsupported pickle protocol: ${this.protocol}`);
          i += 2;
          break;
        case 0x95: // FRAME: a length hint, the opcodes follow inline
          if (left < 9) return this.needing(i, 9);
          if (buf.readUInt32LE(i + 5) > 0x7fffffff) this.fail('FRAME length exceeds the maximum');
          i += 9;
          break;
        case 0x2e: // STOP
          this.pop();
          this.status = RunStatus.Done;
          return i + 1;
        case 0x28: // MARK
          if (this.sp + this.mp >= MAX_ENTRIES) this.fail('stack deeper than the scanner allows', 'limit');
          this.marks[this.mp++] = this.sp;
          i += 1;
          break;
        case 0x30: // POP (an empty frame pops the MARK instead, as CPython does)
          if (this.mp > 0 && this.marks[this.mp - 1] === this.sp) this.mp--;
          else this.popN(1);
          i += 1;
          break;
        case 0x31: // POP_MARK
          this.popMark();
          i += 1;
          break;
        case 0x32: // DUP
          this.push(this.top());
          i += 1;
          break;
        case 0x4a: // BININT
          if (left < 5) return this.needing(i, 5);
          this.push(OTHER);
          i += 5;
          break;
        case 0x4b: // BININT1
          if (left < 2) return this.needing(i, 2);
          this.push(OTHER);
          i += 2;
          break;
        case 0x4d: // BININT2
          if (left < 3) return this.needing(i, 3);
          this.push(OTHER);
          i += 3;
          break;
        case 0x47: // BINFLOAT
          if (left < 9) return this.needing(i, 9);
          this.push(OTHER);
          i += 9;
          break;
        case 0x8a: // LONG1
          if (left < 2) return this.needing(i, 2);
          i = this.payload(i, 2, buf[i + 1], n, 'truncated payload');
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x8b: // LONG4
          {
            if (left < 5) return this.needing(i, 5);
            const len = buf.readInt32LE(i + 1);
            if (len < 0) this.fail('LONG pickle has negative byte count');
            i = this.payload(i, 5, len, n, 'truncated payload');
            if (this.status !== RunStatus.Running) return i;
          }
          break;
        case 0x4e: // NONE
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
        case 0x7d: // EMPTY_DICT
        case 0x5d: // EMPTY_LIST
        case 0x29: // EMPTY_TUPLE
        case 0x8f: // EMPTY_SET
        case 0x97: // NEXT_BUFFER
          this.push(OTHER);
          i += 1;
          break;
        case 0x51: // BINPERSID
          this.persistentId();
          this.pop();
          this.push(OTHER);
          i += 1;
          break;
        case 0x98: // READONLY_BUFFER
          this.pop();
          this.push(OTHER);
          i += 1;
          break;
        case 0x52: // REDUCE
        case 0x81: // NEWOBJ
          this.popN(2);
          this.push(OTHER);
          i += 1;
          break;
        case 0x92: // NEWOBJ_EX
          this.popN(3);
          this.push(OTHER);
          i += 1;
          break;
        case 0x54: // BINSTRING (signed length)
          {
            if (left < 5) return this.needing(i, 5);
            const len = buf.readInt32LE(i + 1);
            if (len < 0) this.fail('BINSTRING pickle has negative byte count');
            i = this.string(buf, i, 5, len, n, false);
            if (this.status !== RunStatus.Running) return i;
          }
          break;
        case 0x55: // SHORT_BINSTRING
          if (left < 2) return this.needing(i, 2);
          i = this.string(buf, i, 2, buf[i + 1], n, false);
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x58: // BINUNICODE
          if (left < 5) return this.needing(i, 5);
          i = this.string(buf, i, 5, buf.readUInt32LE(i + 1), n, true);
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x8c: // SHORT_BINUNICODE
          if (left < 2) return this.needing(i, 2);
          i = this.string(buf, i, 2, buf[i + 1], n, true);
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x8d: // BINUNICODE8
          if (left < 9) return this.needing(i, 9);
          i = this.string(buf, i, 9, this.u64(buf, i + 1, 'huge BINUNICODE8 length'), n, true);
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x42: // BINBYTES
          if (left < 5) return this.needing(i, 5);
          i = this.payload(i, 5, buf.readUInt32LE(i + 1), n, 'truncated payload');
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x43: // SHORT_BINBYTES
          if (left < 2) return this.needing(i, 2);
          i = this.payload(i, 2, buf[i + 1], n, 'truncated payload');
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          if (left < 9) return this.needing(i, 9);
          i = this.payload(i, 9, this.u64(buf, i + 1, 'negative or huge length'), n, 'truncated payload');
          if (this.status !== RunStatus.Running) return i;
          break;
        case 0x61: // APPEND
        case 0x62: // BUILD
          this.popN(2);
          this.push(OTHER);
          i += 1;
          break;
        case 0x73: // SETITEM
          this.popN(3);
          this.push(OTHER);
          i += 1;
          break;
        case 0x65: // APPENDS
        case 0x75: // SETITEMS
        case 0x90: // ADDITEMS: the items since MARK go into the collection below it, which stays
          this.popMark();
          this.top();
          i += 1;
          break;
        case 0x64: // DICT
        case 0x6c: // LIST
        case 0x74: // TUPLE
        case 0x91: // FROZENSET
          this.popMark();
          this.push(OTHER);
          i += 1;
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: // TUPLE3
          this.popN(op - 0x84);
          this.push(OTHER);
          i += 1;
          break;
        case 0x6f: // OBJ: class and arguments since MARK (the class was imported earlier)
          if (this.popMark() === 0) this.fail('unpickling stack underflow');
          this.push(OTHER);
          i += 1;
          break;
        case 0x93: // STACK_GLOBAL
          {
            this.popN(2);
            const module = this.stack[this.sp];
            const name = this.stack[this.sp + 1];
            if (typeof module === 'string' && typeof name === 'string')
              this.addImport(module, name, 'STACK_GLOBAL');
            else this.addImport('?', '?', 'STACK_GLOBAL', false);
            this.push(OTHER);
            i += 1;
          }
          break;
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
          {
            const size = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
            if (left < 1 + size) return this.needing(i, 1 + size);
            const code = buf.readUIntLE(i + 1, size);
            this.addImport(
              '?',
              `extension code ${code}`,
              op === 0x82 ? 'EXT1' : op === 0x83 ? 'EXT2' : 'EXT4',
              false,
            );
            this.push(OTHER);
            i += 1 + size;
          }
          break;
        case 0x68: // BINGET
          if (left < 2) return this.needing(i, 2);
          this.get(buf[i + 1]);
          i += 2;
          break;
        case 0x6a: // LONG_BINGET
          if (left < 5) return this.needing(i, 5);
          this.get(buf.readUInt32LE(i + 1));
          i += 5;
          break;
        case 0x71: // BINPUT
          if (left < 2) return this.needing(i, 2);
          this.put(buf[i + 1]);
          i += 2;
          break;
        case 0x72: // LONG_BINPUT
          if (left < 5) return this.needing(i, 5);
          this.put(buf.readUInt32LE(i + 1));
          i += 5;
          break;
        case 0x94: // MEMOIZE
          this.put(this.memoCount);
          i += 1;
          break;
        case 0x50: // PERSID: refused before its line is read, as CPython does
          this.persistentId();
        // falls through
        case 0x46: // FLOAT
        case 0x49: // INT
        case 0x4c: // LONG
        case 0x53: // STRING
        case 0x56: // UNICODE
        case 0x67: // GET
        case 0x70: // PUT
        case 0x63: // GLOBAL
        case 0x69: // INST
          {
            const next = this.lineInWindow(op, buf, i, n);
            if (next < 0) {
              this.status = RunStatus.Line;
              return i;
            }
            i = next;
          }
          break;
        default:
          this.fail(`invalid load key, 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
    return this.needing(i, 1);
  }

  /** A line opcode whose newline(s) are in the window: run it and return the next index, else -1. */
  private lineInWindow(op: number, buf: Buffer, i: number, n: number): number {
    const end = buf.indexOf(0x0a, i + 1);
    if (end < 0 || end >= n) return -1;
    if (op === 0x63 || op === 0x69) {
      const end2 = buf.indexOf(0x0a, end + 1);
      if (end2 < 0 || end2 >= n) return -1;
      this.globalOp(op, kept(buf, i + 1, end), kept(buf, end + 1, end2));
      return end2 + 1;
    }
    this.lineOp(op, kept(buf, i + 1, end));
    return end + 1;
  }

  /**
   * Run a line opcode other than GLOBAL/INST given its argument without the newline (undefined when
   * longer than the scanner keeps, MAX_KEPT_STRING).
   */
  lineOp(op: number, body: Buffer | undefined): void {
    switch (op) {
      case 0x46: // FLOAT
      case 0x49: // INT
      case 0x4c: // LONG: the value never names an import, so any line is taken (over-approximation)
        this.push(OTHER);
        return;
      case 0x50: // PERSID
        this.persistentId();
        this.push(OTHER);
        return;
      case 0x53: // STRING: a quoted Python 2 str literal, escape-decoded, then ASCII
        if (body === undefined) this.push(OTHER);
        else {
          const q = body[0];
          if (body.length < 2 || (q !== 0x22 && q !== 0x27) || body[body.length - 1] !== q)
            this.fail('the STRING opcode argument must be quoted');
          const raw = decodeEscapedBytes(body.subarray(1, -1));
          if (raw === undefined) this.fail('invalid escape in STRING');
          this.push(strictAscii(raw) ?? OTHER);
        }
        return;
      case 0x56: // UNICODE (raw-unicode-escape, newline-terminated)
        if (body === undefined) this.push(OTHER);
        else {
          const v = decodeRawUnicodeEscape(body);
          if (v === undefined) this.fail('invalid raw-unicode-escape in UNICODE');
          this.push(v);
        }
        return;
      case 0x67: // GET
        this.get(this.lineKey('GET', body));
        return;
      case 0x70: // PUT
        {
          const key = this.lineKey('PUT', body);
          if (key < 0) this.fail('negative PUT argument');
          this.put(key);
        }
        return;
      default:
        this.fail(`not a line opcode: 0x${op.toString(16)}`);
    }
  }

  /** GLOBAL/INST given their two lines: strict UTF-8 names (CPython stops on bad UTF-8). */
  globalOp(op: number, moduleBytes: Buffer | undefined, nameBytes: Buffer | undefined): void {
    const opcode = op === 0x63 ? 'GLOBAL' : 'INST';
    const module = moduleBytes && strictUtf8(moduleBytes);
    const name = nameBytes && strictUtf8(nameBytes);
    if ((moduleBytes && module === undefined) || (nameBytes && name === undefined))
      this.fail(`${opcode} names are not UTF-8`);
    if (module === undefined || name === undefined) this.addImport('?', '?', opcode, false);
    else this.addImport(module, name, opcode);
    if (op === 0x69) this.popMark(); // INST: the arguments since MARK
    this.push(OTHER);
  }

  /** A memo key from a GET/PUT line, read as C's PyLong_FromString(line, NULL, 10); BINGET keys are numbers. */
  private lineKey(op: string, body: Buffer | undefined): MemoKey {
    if (body === undefined) this.fail(`${op} argument longer than the scanner reads`, 'limit');
    const key = pyIntBase10(body);
    if (key === undefined) return this.fail(`invalid literal for int() in ${op}`);
    // keys that fit a double are stored as numbers, so BINPUT 5 and PUT 5 name the same entry
    return key >= -(2n ** 53n) && key <= 2n ** 53n ? Number(key) : key;
  }

  /** Push the opaque value of an opcode whose payload the driver passed over. */
  pushSkipped(): void {
    this.push(OTHER);
  }
}

/** buf[s, e) (a line argument without its newline) if the scanner keeps it, else undefined. */
function kept(buf: Buffer, s: number, e: number): Buffer | undefined {
  return e - s + 1 <= MAX_KEPT_STRING + 1 ? buf.subarray(s, e) : undefined;
}
