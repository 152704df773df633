// The single executable's data files (Sigstore TUF seeds, CycloneDX schemas): SEA assets embedded at
// build time (scripts/bundle/build-binary.mjs), read on first use. Injected by scripts/bundle/build.mjs.
const { getAsset } = require('node:sea');

/** The text of asset `data/<name>`; throws when the executable carries no such asset. */
exports.readDataFile = (name) => getAsset(`data/${name}`, 'utf8');
