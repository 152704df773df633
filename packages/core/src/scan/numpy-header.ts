// Reads a .npy header as numpy.lib.format.read_array does (numpy 1.24-2.x): magic and version (1.0,
// 2.0 or 3.0 only), the header length, the header text (Latin-1, or UTF-8 for 3.0) evaluated as a
// Python literal (ast.literal_eval; `L` suffixes dropped for 1.0/2.0), a dict of exactly descr,
// fortran_order and shape. Then whether the dtype descr can hold objects, in which case the data that
// follows is a pickle numpy.load(allow_pickle=True) loads. Any spelling counts: only descrs known to be
// plain numbers, strings, bytes, voids or dates are object-free; everything else is taken as objects.
import { parsePythonLiteral, PySyntaxError, type PyValue } from './python-literal.js';

/** What a .npy header says. */
export type NpyHeader =
  | {
      ok: true;
      /** bytes before the data */ dataOffset: number;
      /** the data is a pickle */ objects: boolean;
    }
  | { ok: false; message: string };

const MAGIC = Buffer.from('\x93NUMPY', 'latin1');

/** Type codes and names numpy.dtype turns into object-free dtypes (with an optional byte order). */
const PLAIN_DESCR =
  /^[<>|=]?(\?|b1|[bBhHiIlLqQpPnNefdgFDG]|[iu][1248]|f[248]|f(10|12|16)|c(8|16|20|24|32)|[SUVa]\d*|[Mm]8(\[\d*(Y|M|W|D|h|m|s|ms|us|μs|ns|ps|fs|as|generic)\])?|bool|bool_|int(8|16|32|64)?|uint(8|16|32|64)?|float(16|32|64|96|128)?|complex(64|128|192|256)?|half|single|double|longdouble|str|str_|bytes|bytes_|void|datetime64(\[\w+\])?|timedelta64(\[\w+\])?)$/;

/** Whether numpy's descr_to_dtype(descr) may build a dtype with objects (true when unsure). */
export function descrMayHoldObjects(descr: PyValue): boolean {
  if (descr.t === 'str') return !PLAIN_DESCR.test(descr.v);
  if (descr.t === 'tuple') return descr.items.length === 0 || descrMayHoldObjects(descr.items[0]);
  if (descr.t !== 'list') return true; // other iterables (dict keys, sets, ...) are not worth modelling
  return descr.items.some((field) => {
    // a field is (name, descr) or (name, descr, shape); a 2- or 3-character str unpacks the same way
    if (field.t === 'tuple' || field.t === 'list')
      return field.items.length < 2 || field.items.length > 3 || descrMayHoldObjects(field.items[1]);
    if (field.t === 'str' && (field.v.length === 2 || field.v.length === 3))
      return descrMayHoldObjects({ t: 'str', v: [...field.v][1] ?? '' });
    return true;
  });
}

/**
 * Parse the header at the start of `head` (at least the first 12 bytes; `more` reads the header text).
 * Returns ok: false with numpy's reason where read_array would raise.
 */
export async function readNpyHeader(take: (n: number) => Promise<Buffer>): Promise<NpyHeader> {
  const magic = await take(8);
  if (magic.length < 8 || !magic.subarray(0, 6).equals(MAGIC))
    return { ok: false, message: 'the magic string is not correct' };
  const [major, minor] = [magic[6], magic[7]];
  if (minor !== 0 || major < 1 || major > 3)
    return { ok: false, message: `format version (${major},${minor}) is not 1.0, 2.0 or 3.0` };
  const lengthBytes = await take(major === 1 ? 2 : 4);
  if (lengthBytes.length < (major === 1 ? 2 : 4)) return { ok: false, message: 'truncated header length' };
  const length = major === 1 ? lengthBytes.readUInt16LE(0) : lengthBytes.readUInt32LE(0);
  // numpy.load(allow_pickle=True) ignores max_header_size; bound memory anyway (a finding, not a pass)
  if (length > 1 << 20)
    return { ok: false, message: `header of ${length} bytes is larger than the scanner reads` };
  const raw = await take(length);
  if (raw.length < length) return { ok: false, message: 'truncated header' };
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return { ok: false, message: 'header is not UTF-8' };
    }
  } else text = raw.toString('latin1');
  let d: PyValue;
  try {
    d = parsePythonLiteral(text, { dropLongSuffix: major <= 2 });
  } catch (e) {
    if (!(e instanceof PySyntaxError)) throw e;
    return { ok: false, message: `cannot parse header: ${e.message}` };
  }
  if (d.t !== 'dict') return { ok: false, message: 'header is not a dictionary' };
  const get = (key: string): PyValue | undefined => {
    let found: PyValue | undefined;
    for (const [k, v] of d.entries) if (k.t === 'str' && k.v === key) found = v; // the last one wins
    return found;
  };
  const keys = new Set(d.entries.map(([k]) => (k.t === 'str' ? k.v : '\0')));
  if (keys.size !== 3 || !['descr', 'fortran_order', 'shape'].every((k) => keys.has(k)))
    return { ok: false, message: 'header does not contain exactly descr, fortran_order and shape' };
  const shape = get('shape');
  if (shape?.t !== 'tuple' || !shape.items.every((x) => x.t === 'int' || x.t === 'bool'))
    return { ok: false, message: 'shape is not a tuple of ints' };
  if (get('fortran_order')?.t !== 'bool') return { ok: false, message: 'fortran_order is not a bool' };
  const descr = get('descr') as PyValue;
  return { ok: true, dataOffset: 8 + lengthBytes.length + length, objects: descrMayHoldObjects(descr) };
}
