// Preloaded with `node --import` by test/push-module-load.test.ts: records which module files a CLI
// process loads, to the file named by RECORD_MODULES_TO: every ESM module as it loads (record-hooks.mjs)
// and, at exit, every CommonJS module in require's cache (the lazily loaded dist/lazy/*.cjs bundles).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = process.env.RECORD_MODULES_TO;
if (!out) throw new Error('RECORD_MODULES_TO is not set');
register(new URL('./record-hooks.mjs', import.meta.url), { data: { out } });
const cache = createRequire(import.meta.url)('node:module')._cache;
process.on('exit', () => {
  appendFileSync(
    out,
    Object.keys(cache)
      .map((f) => `${pathToFileURL(f).href}\n`)
      .join(''),
  );
});
