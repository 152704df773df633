import { describe, expect, it } from 'vitest';
import { legacyPreAuthEncoding, pythonBytesRepr } from './legacy-pae.js';

describe('pythonBytesRepr (outputs checked with CPython 3)', () => {
  it.each([
    [Buffer.from("a'b"), `b"a'b"`],
    [Buffer.from(`a'"b`), `b'a\\'"b'`],
    [
      Buffer.from([0x00, 0x7f, 0xff, 0x09, 0x0a, 0x0d, 0x5c, 0x20, 0x7e]),
      "b'\\x00\\x7f\\xff\\t\\n\\r\\\\ ~'",
    ],
    [Buffer.from('é'), "b'\\xc3\\xa9'"],
    [Buffer.alloc(0), "b''"],
  ])('%s', (input, expected) => {
    expect(pythonBytesRepr(input)).toBe(expected);
  });
});

describe('legacyPreAuthEncoding', () => {
  it('is DSSEV1 + lengths + the repr of the payload', () => {
    expect(legacyPreAuthEncoding('application/vnd.in-toto+json', Buffer.from('{\n}')).toString()).toBe(
      "DSSEV1 28 application/vnd.in-toto+json 3 b'{\\n}'",
    );
  });
});
