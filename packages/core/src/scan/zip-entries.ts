// Reads a ZIP archive's central directory (with ZIP64) and opens entries as streams: what torch.load
// and numpy.load read (they go through the central directory, so this does too, never the local headers
// alone), and a local header that names another file is refused as zipfile refuses it.
// Only stored (0) and deflated (8) entries can be opened.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

/** One entry of the central directory. */
export interface ZipEntry {
  name: string;
  /** the name's bytes as the central directory stores them (the local header must repeat them) */
  rawName: Buffer;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** Thrown for an archive whose directory cannot be read; the message says what and where. */
export class ZipFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

async function readAt(handle: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await handle.read(buf, 0, len, pos);
  if (bytesRead < len) throw new ZipFormatError(`truncated archive (wanted ${len} bytes at ${pos})`, pos);
  return buf;
}

const u64 = (b: Buffer, at: number): number => {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('ZIP64 value out of range', at);
  return Number(v);
};

/** List the central directory of the archive in `handle` (`size` bytes). */
export async function listZipEntries(handle: FileHandle, size: number): Promise<ZipEntry[]> {
  const tailLen = Math.min(size, 22 + 65535);
  const tail = await readAt(handle, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record', size);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAbs = size - tailLen + eocd;
  // Like zipfile, a ZIP64 locator right before the end record means the ZIP64 end record (read right
  // before the locator) counts, whatever the 32-bit fields say.
  const locator = eocdAbs >= 76 ? await readAt(handle, eocdAbs - 20, 20) : undefined;
  const zip64 = locator?.readUInt32LE(0) === 0x07064b50;
  if (zip64) {
    const z64At = eocdAbs - 20 - 56;
    const z64 = await readAt(handle, z64At, 56);
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new ZipFormatError('ZIP64 end record missing', z64At);
    cdSize = u64(z64, 40);
    cdOffset = u64(z64, 48);
  }
  // zipfile's "concat": bytes before the archive (the directory ends right before the end records)
  // shift every offset the archive records
  const concat = eocdAbs - (zip64 ? 76 : 0) - cdSize - cdOffset;
  cdOffset += concat;
  if (cdOffset < 0) throw new ZipFormatError('bad offset for the central directory', eocdAbs);
  if (cdOffset + cdSize > size)
    throw new ZipFormatError('central directory lies past the end of the file', cdOffset);
  // zipfile reads entries while they start inside the directory's size (the entry count is not used),
  // each with its name, extra field and comment, which may run past that size
  const cd = await readAt(handle, cdOffset, Math.min(size - cdOffset, cdSize + 46 + 3 * 0xffff));
  const entries: ZipEntry[] = [];
  let at = 0;
  while (at < cdSize) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50)
      throw new ZipFormatError('bad central directory entry', cdOffset + at);
    const nameLen = cd.readUInt16LE(at + 28);
    const extraLen = cd.readUInt16LE(at + 30);
    const commentLen = cd.readUInt16LE(at + 32);
    // (zipfile does not check that name, extra field and comment are all there: short reads are taken)
    const rawName = Buffer.from(cd.subarray(at + 46, at + 46 + nameLen));
    const entry: ZipEntry = {
      // zipfile: UTF-8 when flag bit 11 is set, else cp437 (shown as Latin-1 here: only for messages)
      name: rawName.toString(cd.readUInt16LE(at + 8) & 0x800 ? 'utf8' : 'latin1'),
      rawName,
      method: cd.readUInt16LE(at + 10),
      compressedSize: cd.readUInt32LE(at + 20),
      uncompressedSize: cd.readUInt32LE(at + 24),
      localHeaderOffset: cd.readUInt32LE(at + 42),
    };
    applyZip64Extra(entry, cd.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen));
    entry.localHeaderOffset += concat;
    if (entry.localHeaderOffset < 0)
      throw new ZipFormatError(`entry ${entry.name}: bad local header offset`, cdOffset + at);
    entries.push(entry);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Replace 0xffffffff fields with their ZIP64 extra-field values (in the order the spec gives). */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const len = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let p = at + 4;
      const next = (): number => {
        const v = u64(extra, p);
        p += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + len;
  }
}

/** The uncompressed bytes of `entry` as a stream (file `path`, already open as `handle`). */
export async function openZipEntry(handle: FileHandle, path: string, entry: ZipEntry): Promise<Readable> {
  const local = await readAt(handle, entry.localHeaderOffset, 30);
  if (local.readUInt32LE(0) !== 0x04034b50)
    throw new ZipFormatError(`entry ${entry.name}: no local header`, entry.localHeaderOffset);
  // zipfile refuses a member whose local header names another file (it takes the method and sizes
  // from the central directory, as this does)
  const localName = await readAt(handle, entry.localHeaderOffset + 30, local.readUInt16LE(26));
  if (!localName.equals(entry.rawName))
    throw new ZipFormatError(
      `entry ${entry.name}: the local header names ${JSON.stringify(localName.toString('latin1'))}, the central directory ${JSON.stringify(entry.name)}`,
      entry.localHeaderOffset,
    );
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(
      `entry ${entry.name}: compression method ${entry.method} is not supported`,
      start,
    );
  if (entry.compressedSize === 0) return Readable.from([]);
  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  if (entry.method === 0) return raw;
  const inflate = createInflateRaw();
  raw.on('error', (e) => inflate.destroy(e));
  return raw.pipe(inflate);
}
