// The native BLAKE3 addon (@napi-rs/blake-hash) inside the single executable. Node loads addons only
// from files, so on first use (once per thread) the SEA asset is written into a fresh private
// directory (mkdtemp: unique, mode 0700, under $TMPDIR), loaded, and the directory removed (the
// loaded mapping stays). Where that fails (no writable temporary directory, noexec) this throws and
// core falls back to its JavaScript BLAKE3, which gives the same digests. Injected by build.mjs.
const { getAsset } = require('node:sea');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const bytes = new Uint8Array(getAsset('native/blake-hash.node'));
const dir = mkdtempSync(path.join(os.tmpdir(), 'modelseal-blake3-'));
try {
  const file = path.join(dir, 'blake-hash.node');
  writeFileSync(file, bytes, { mode: 0o500, flag: 'wx' });
  process.dlopen(module, file, os.constants.dlopen.RTLD_NOW);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
