// `pnpm build:binary`: modelseal as one executable file (a Node single executable application).
// Bundles the sea target (scripts/bundle/build.mjs: main.cjs, the hashing worker, data files and
// the native BLAKE3 addon), writes the SEA preparation blob with a Node >= 21.7 (assets need it),
// copies that Node binary and injects the blob with postject. Linux only.
// Usage: node scripts/bundle/build-binary.mjs [--node PATH] [--arch x64|arm64] [--target-node PATH]
//          [--native PATH] [--out FILE]
//   --node         the Node that writes the blob (default: this one; else $MODELSEAL_SEA_NODE)
//   --arch         the executable's CPU (default: this machine's). For another arch the target's
//                  `node` is the npm package node-linux-<arch> at the blob-writing Node's exact
//                  version, and its BLAKE3 addon @napi-rs/blake-hash-linux-<arch>-gnu at the
//                  installed @napi-rs/blake-hash version, both fetched with `npm pack` (registry
//                  integrity checked) into build/cache/; its blob has no code cache. Where npm has no
//                  addon of that version the executable embeds none and hashes BLAKE3 with core's
//                  JavaScript implementation (same digests, slower)
//   --target-node  that arch's `node` binary instead of fetching it
//   --native       that arch's blake-hash .node file instead of fetching it, or `none`
//   --out          default build/modelseal-linux-<arch> (a stable path: CI and the init image use it)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Node's `process.arch` names the npm packages use for Linux CPUs this script can target. */
const ARCHES = new Set(['x64', 'arm64']);

/**
 * `npm pack`s `spec` into build/cache/ (once; npm checks the registry's integrity hash) and
 * extracts `member` (a path inside the tarball's package/); returns the extracted file, or
 * undefined when npm has no such version.
 */
function fetchFromNpm(spec, member) {
  const cache = path.join(repo, 'build', 'cache', spec.replace(/[/@]/g, '_'));
  const file = path.join(cache, 'package', member);
  if (existsSync(file)) return file;
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  let tgz;
  try {
    const packed = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', cache], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tgz = path.join(cache, JSON.parse(packed)[0].filename);
  } catch (e) {
    if (/E404|No matching version|is not in this registry/.test(`${e.stderr ?? ''}${e.stdout ?? ''}`))
      return undefined;
    throw e;
  }
  execFileSync('tar', ['-xzf', tgz, '-C', cache, `package/${member}`]);
  rmSync(tgz);
  return file;
}

/** The installed @napi-rs/blake-hash version (the addon must match its JavaScript binding). */
function blakeHashVersion() {
  const core = createRequire(path.join(repo, 'packages', 'core', 'package.json'));
  return JSON.parse(readFileSync(core.resolve('@napi-rs/blake-hash/package.json'), 'utf8')).version;
}

/** Builds the executable; returns its path. */
export async function buildBinary(opts = {}) {
  if (process.platform !== 'linux') throw new Error('build:binary builds Linux executables only');
  const arch = opts.arch ?? process.arch;
  const node = assetsNode(opts.node ?? process.env.MODELSEAL_SEA_NODE ?? process.execPath);
  if (!ARCHES.has(arch)) throw new Error(`--arch must be x64 or arm64, got '${arch}'`);
  const cross = arch !== process.arch;
  let targetNode = opts.targetNode;
  let native = opts.native;
  if (cross) {
    const version = nodeVersion(node).join('.');
    const full = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    targetNode ??= fetchFromNpm(`node-linux-${arch}@${full}`, 'bin/node');
    if (!targetNode)
      throw new Error(`npm has no node-linux-${arch}@${full} (Node ${version}); pass --target-node`);
    if (native === undefined) {
      const spec = `@napi-rs/blake-hash-linux-${arch}-gnu@${blakeHashVersion()}`;
      native = fetchFromNpm(spec, `blake.linux-${arch}-gnu.node`) ?? 'none';
      if (native === 'none')
        console.error(
          `npm has no ${spec}: the executable embeds no native BLAKE3 (JavaScript BLAKE3 instead)`,
        );
    }
  }
  const work = path.join(repo, 'build', `sea-${arch}`);
  const out = path.resolve(opts.out ?? path.join(repo, 'build', `modelseal-linux-${arch}`));
  const files = await bundle('sea', work);
  const addon = path.join(work, 'native', 'blake-hash.node');
  if (native === 'none') rmSync(addon);
  else if (native !== undefined) copyFileSync(native, addon);
  const assets = Object.fromEntries(
    files
      .filter((f) => f !== 'main.cjs' && existsSync(path.join(work, f)))
      .map((f) => [f, path.join(work, f)]),
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
  copyFileSync(cross ? targetNode : node, out);
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
