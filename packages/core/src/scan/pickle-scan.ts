// Walks a pickle opcode stream (the opcodes documented in CPython's Lib/pickletools.py, protocols 0-5)
// WITHOUT executing it, and records every global it imports: GLOBAL and INST name the import inline;
// STACK_GLOBAL takes module and name from the stack, so the stack and memo are simulated (strings kept,
// everything else opaque). An import whose operands are not plain strings is reported as unresolved;
// EXT1/2/4 (imports through copyreg's extension registry) likewise. Large payloads are skipped, not read.
import type { ByteReader } from './byte-reader.js';
import {
  MAX_KEPT_STRING,
  MAX_LINE_BYTES,
  PickleFormatError,
  PickleMachine,
  RunStatus,
  type PickleErrorKind,
  type PickleImport,
} from './pickle-machine.js';

export { MAX_LINE_BYTES, type PickleErrorKind, type PickleImport };

/** What one pickle in the stream looked like. */
export interface PickleParse {
  imports: PickleImport[];
  /** Set when the stream is not a well-formed pickle: what and where (the unpickler would stop there). */
  error?: { message: string; offset: number; kind: PickleErrorKind };
  /**
   * Offset just past STOP; after an error, how far the walk read to decide it: the end of the input when
   * the input ended inside an opcode, else just past the opcode byte that failed.
   */
  end: number;
  protocol: number;
  /** Offset of the first PERSID/BINPERSID: a loader without persistent_load (plain pickle.load) stops there. */
  firstPersistentId?: number;
}

/** How the loader that reads this pickle is set up. */
export interface ParsePickleOptions {
  /**
   * The unpickler has a persistent_load (torch.load's main pickle, torch zip data.pkl): PERSID and
   * BINPERSID are accepted. Plain pickle.load has none and stops there. Default true.
   */
  persistentLoad?: boolean;
}

/**
 * Parse one pickle starting at the reader's offset, up to and including its STOP opcode, the way
 * CPython's C unpickler reads it: any opcode may come first (PROTO is optional), the stream ends at
 * STOP, memo keys of GET/PUT are read with int() semantics, a GET of a key never PUT stops the load.
 * Never throws for bad input: `error` says where and why it stopped. Opcodes run synchronously over the
 * reader's buffered window; this function only does the I/O the machine asks for.
 */
export async function parsePickle(
  reader: ByteReader,
  options: ParsePickleOptions = {},
): Promise<PickleParse> {
  const m = new PickleMachine(options.persistentLoad ?? true);
  const result = (end: number, error?: PickleParse['error']): PickleParse => ({
    imports: m.imports,
    ...(error ? { error } : {}),
    end,
    protocol: m.protocol,
    ...(m.firstPersistentId === undefined ? {} : { firstPersistentId: m.firstPersistentId }),
  });
  try {
    for (;;) {
      const window = reader.window();
      reader.advance(m.run(window, 0, window.length, reader.offset));
      switch (m.status) {
        case RunStatus.Done:
          return result(reader.offset);
        case RunStatus.Need: {
          const need = m.need;
          if (reader.available < need) await reader.fill(need);
          if (reader.available < need) {
            m.at = reader.offset;
            m.truncated(
              reader.available === 0
                ? 'truncated: no STOP opcode'
                : `truncated: needed ${need - 1} bytes of argument`,
            );
          }
          reader.coalesce(need);
          break;
        }
        case RunStatus.Skip: {
          const length = m.skipLength;
          if ((await reader.skip(length)) < length) m.truncated(m.skipMessage);
          m.pushSkipped();
          break;
        }
        case RunStatus.Line:
          await lineOpcode(reader, m);
          break;
      }
    }
  } catch (e) {
    if (!(e instanceof PickleFormatError)) throw e;
    const end = e.truncated ? reader.offset + reader.available : e.offset + 1;
    return result(end, { message: e.message, offset: e.offset, kind: e.kind });
  }
}

/** A line opcode whose argument is not in the window (long, or across buffers): read it with I/O. */
async function lineOpcode(reader: ByteReader, m: PickleMachine): Promise<void> {
  m.at = reader.offset;
  const op = (await reader.take(1))[0];
  if (op === 0x63 || op === 0x69) {
    // GLOBAL, INST: module line, then name line
    const module = await line(reader, m, MAX_KEPT_STRING);
    const name = await line(reader, m, MAX_KEPT_STRING);
    m.globalOp(op, module?.subarray(0, -1), name?.subarray(0, -1));
    return;
  }
  // INT, FLOAT, LONG and PERSID values never name an import: nothing of them is kept
  const ignored = op === 0x46 || op === 0x49 || op === 0x4c || op === 0x50;
  const text = await line(reader, m, ignored ? 0 : MAX_KEPT_STRING);
  m.lineOp(op, text?.subarray(0, -1));
}

/**
 * A newline-terminated argument (newline included), like _Unpickler_Readline: any length up to
 * MAX_LINE_BYTES. Bytes past `keep` are passed over, not kept; the result is then undefined.
 */
async function line(reader: ByteReader, m: PickleMachine, keep: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  for (;;) {
    if (reader.available === 0) await reader.fill(1);
    const piece = reader.takeUntilSync(0x0a);
    if (piece.length === 0) m.truncated('truncated: no newline ending the argument');
    seen += piece.length;
    if (seen > MAX_LINE_BYTES && piece[piece.length - 1] !== 0x0a)
      m.fail(
        `a line argument runs over ${MAX_LINE_BYTES} bytes without a newline; the scanner reads no further`,
        'limit',
      );
    if (kept <= keep) {
      parts.push(Buffer.from(piece));
      kept += piece.length;
    }
    if (piece[piece.length - 1] === 0x0a) return kept <= keep + 1 ? Buffer.concat(parts) : undefined;
  }
}
