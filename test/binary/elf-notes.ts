// Reads an ELF64 little-endian executable's header and the notes of its PT_NOTE segments: enough to
// check what `pnpm build:binary` wrote for a CPU this machine cannot run (the target's e_machine,
// and the NODE_SEA_BLOB note postject injects, which Node's SEA loader finds the same way).
import { readFileSync } from 'node:fs';

/** e_machine values (ELF specification / <elf.h>). */
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
const PT_NOTE = 4;

/** One ELF note: its name (without the NUL), type and descriptor bytes. */
interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
}

/** An ELF64 executable's kind, CPU and notes. */
interface ElfSummary {
  /** e_type: 2 = EXEC, 3 = DYN */
  type: number;
  /** e_machine: EM_X86_64, EM_AARCH64... */
  machine: number;
  /** PT_INTERP's path (the dynamic loader), if any */
  interpreter?: string;
  notes: ElfNote[];
}

/** Parse `file`; throws when it is not a little-endian ELF64 file. */
export function readElf(file: string): ElfSummary {
  const f = readFileSync(file);
  if (f.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
  if (f[4] !== 2 || f[5] !== 1) throw new Error(`${file}: not ELF64 little-endian`);
  const phoff = Number(f.readBigUInt64LE(0x20));
  const phentsize = f.readUInt16LE(0x36);
  const phnum = f.readUInt16LE(0x38);
  const summary: ElfSummary = { type: f.readUInt16LE(0x10), machine: f.readUInt16LE(0x12), notes: [] };
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    const ptype = f.readUInt32LE(ph);
    const offset = Number(f.readBigUInt64LE(ph + 8));
    const size = Number(f.readBigUInt64LE(ph + 32));
    if (ptype === 3) summary.interpreter = f.toString('latin1', offset, offset + size).replace(/\0+$/, '');
    if (ptype !== PT_NOTE) continue;
    for (let p = offset; p + 12 <= offset + size;) {
      const namesz = f.readUInt32LE(p);
      const descsz = f.readUInt32LE(p + 4);
      const type = f.readUInt32LE(p + 8);
      const name = f.toString('latin1', p + 12, p + 12 + namesz).replace(/\0$/, '');
      const d = p + 12 + ((namesz + 3) & ~3);
      summary.notes.push({ name, type, desc: f.subarray(d, d + descsz) });
      p = d + ((descsz + 3) & ~3);
    }
  }
  return summary;
}
