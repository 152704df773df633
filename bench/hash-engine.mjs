// The hashing engine alone for `bench/hash.ts`: node + core's compiled hash-model module, the
// manifest as JSON on stdout. Plain JS so that nothing but the engine is loaded.
// Usage: node bench/hash-engine.mjs MODEL [files|shards]
const { hashModel } = await import(
  new URL('../packages/core/dist/model/hash-model.js', import.meta.url).href
);
const [dir, method = 'files'] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await hashModel(dir, { method }), null, 2));
