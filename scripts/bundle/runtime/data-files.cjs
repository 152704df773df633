// The bundled CLI's data files (Sigstore TUF seeds, CycloneDX schemas): read from dist/data/ on
// first use by the lazily loaded dependency bundles in dist/lazy/, so that start-up parses none of
// them. Injected by scripts/bundle/build.mjs.
const { readFileSync } = require('node:fs');
const path = require('node:path');

/** The text of data file `name` (a path under dist/data/); throws ENOENT when it was not shipped. */
exports.readDataFile = (name) => readFileSync(path.join(__dirname, '..', 'data', name), 'utf8');
