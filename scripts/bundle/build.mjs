// The one build script for modelseal's bundles (esbuild). Each target bundles an entry and core's
// hashing worker thread; nothing is installed beside them at run time, so what core loads by name
// at run time is made static here:
//   - core's lazyModule('id') calls (createRequire at run time) become a table of require('id') calls;
//   - core's tool version is read from its package.json now, not from a path next to the code;
//   - CycloneDX's JSON schemas and the Sigstore TUF seeds (files beside their libraries) are read
//     from the target's data (embedded, data files or SEA assets: see TARGETS);
//   - `punycode` is the userland package, not Node's deprecated built-in.
// Targets:
//   action  packages/action/dist: index.js + hash-worker.js, ESM, data embedded, no native BLAKE3
//           (the JavaScript one). Deterministic: test/action-dist.test.ts rebuilds it and compares.
//   cli     packages/cli/dist: bin.js + hash-worker.js + the chunks of the commands (ESM, code
//           splitting: a command loads only its own code), the lazily loaded dependencies as
//           CommonJS bundles in dist/lazy/ (one per group, loaded on first use as core's lazyModule
//           does from node_modules), their data files in dist/data/, and the native BLAKE3
//           (@napi-rs/blake-hash, the package's one dependency) loaded from node_modules.
//   sea     the single executable's script: main.cjs + hash-worker.cjs (CommonJS, what Node's SEA
//           runs) and data/ + native/ assets; the worker runs from its asset, data and the native
//           addon come from SEA assets (scripts/bundle/build-binary.mjs makes the executable).
// Usage: node scripts/bundle/build.mjs <action|cli|sea> [OUTDIR]
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const runtime = (name) => path.join(here, 'runtime', name);

/** The CycloneDX schemas the 1.6 JSON validator reads. */
const CYCLONEDX_SCHEMAS = [
  'bom-1.6.SNAPSHOT.schema.json',
  'spdx.SNAPSHOT.schema.json',
  'cryptography-defs.SNAPSHOT.schema.json',
  'jsf-0.82.SNAPSHOT.schema.json',
];
/** Native code core loads lazily: never bundled (each target says how it loads, or that it fails). */
const NATIVE = '@napi-rs/blake-hash';

/**
 * What each target builds. `label` names the bundle in messages (the Action's text is unchanged).
 * `data`: 'embedded' (in the JavaScript), 'files' (dist/data/), 'sea' (SEA assets).
 */
const TARGETS = {
  action: {
    packageDir: path.join(repo, 'packages/action'),
    entry: 'src/main.ts',
    outputs: { main: 'index.js', worker: 'hash-worker.js' },
    format: 'esm',
    label: 'the Action',
    data: 'embedded',
  },
  cli: {
    packageDir: path.join(repo, 'packages/cli'),
    entry: 'src/bin.ts',
    outputs: { main: 'bin.js', worker: 'hash-worker.js' },
    format: 'esm',
    label: 'the CLI bundle',
    data: 'files',
    split: true,
  },
  sea: {
    packageDir: path.join(repo, 'packages/cli'),
    entry: 'src/bin.ts',
    outputs: { main: 'main.cjs', worker: 'hash-worker.cjs' },
    format: 'cjs',
    label: 'the single executable',
    data: 'sea',
  },
};

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsFiles(path.join(dir, e.name))
      : e.name.endsWith('.js')
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** Every id core passes to lazyModule() in the files under `dir`, sorted. */
function lazyModuleIds(dir) {
  const ids = new Set();
  for (const file of jsFiles(dir)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/lazyModule\('([^']+)'\)/g)) ids.add(m[1]);
  }
  if (ids.size === 0) throw new Error(`no lazyModule('...') calls found under ${dir}`);
  return [...ids].sort();
}

function replaceOnce(text, from, to, file) {
  if (!text.includes(from))
    throw new Error(`bundle: '${from}' not found in ${file}; update scripts/bundle/build.mjs`);
  return text.split(from).join(to);
}

/** Where core's built files and its dependencies are, seen from a package that depends on core. */
function coreLocations(packageDir) {
  const requireFromPackage = createRequire(path.join(packageDir, 'package.json'));
  const coreDist = path.dirname(requireFromPackage.resolve('@modelseal/core'));
  const coreRequire = createRequire(path.join(coreDist, 'index.js'));
  const cdxRoot = path.dirname(path.dirname(coreRequire.resolve('@cyclonedx/cyclonedx-library')));
  const tufSeeds = coreRequire.resolve('@sigstore/tuf/seeds.json');
  return { coreDist, coreRequire, cdxRoot, tufSeeds };
}

/** The dist/lazy/ bundle that carries lazy module `id` in the cli target (Sigstore's modules share one). */
function lazyGroup(id) {
  if (id.startsWith('@sigstore/')) return 'sigstore';
  return id.replace(/^@/, '').replace(/[^a-z0-9]+/gi, '-');
}

/** How `target` loads lazy module `id`, as the body of a loader function. */
function lazyLoader(target, id) {
  if (id === NATIVE) return nativeLoader(target);
  if (target.split && !id.startsWith('node:'))
    return `require(${JSON.stringify(`./lazy/${lazyGroup(id)}.cjs`)})[${JSON.stringify(id)}]`;
  return `require(${JSON.stringify(id)})`;
}

/** How the bundle loads the native BLAKE3 module, as the body of a loader function. */
function nativeLoader(target) {
  if (target.data === 'files') return `require(${JSON.stringify(NATIVE)})`;
  if (target.data === 'sea') return "require('modelseal:native-addon')";
  return `{ throw new Error(${JSON.stringify(`${NATIVE} is not bundled in ${target.label}`)}); }`;
}

/** The plugin, for code that uses the lazy modules of core's files under `scope`. */
const staticLoads = (target, loc, scope) => ({
  name: 'modelseal-static-loads',
  setup(build) {
    const { coreDist, cdxRoot } = loc;
    const absent = (id) => `${id} is not bundled in ${target.label}`;
    build.onLoad({ filter: /[\\/]lazy-module\.js$/ }, (args) => {
      if (!args.path.startsWith(coreDist)) return undefined;
      const entries = lazyModuleIds(scope).map((id) =>
        id === NATIVE && target.data === 'embedded'
          ? `  ${JSON.stringify(id)}: () => { throw new Error(${JSON.stringify(absent(id))}); },`
          : `  ${JSON.stringify(id)}: () => ${lazyLoader(target, id)},`,
      );
      const contents = `const loaders = {\n${entries.join('\n')}\n};
export function lazyModule(id) {
  let loaded;
  return () => {
    const load = loaders[id];
    if (!load) throw new Error(\`\${id} is not bundled in ${target.label}\`);
    return (loaded ??= load());
  };
}
`;
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
    build.onLoad({ filter: /[\\/]sbom[\\/]tool-version\.js$/ }, (args) => {
      if (!args.path.startsWith(coreDist)) return undefined;
      const pkg = JSON.parse(readFileSync(path.join(coreDist, '..', 'package.json'), 'utf8'));
      const text = replaceOnce(
        readFileSync(args.path, 'utf8'),
        "readFileSync(new URL('../../package.json', import.meta.url), 'utf8')",
        JSON.stringify(JSON.stringify({ version: pkg.version })),
        args.path,
      );
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
    // CycloneDX: resources.node.js names schema files beside the library (__dirname); the ajv
    // validator reads them. Both read the bundle's copies instead.
    build.onLoad({ filter: /cyclonedx-library[\\/]dist\.node[\\/]resources\.node\.js$/ }, (args) => {
      const text = replaceOnce(
        readFileSync(args.path, 'utf8'),
        "(__dirname, '..', 'res')",
        "('/cyclonedx-library/res')",
        args.path,
      );
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
    build.onLoad(
      { filter: /cyclonedx-library[\\/]dist\.node[\\/]_optPlug\.node[\\/]__jsonValidators[\\/]ajv\.js$/ },
      (args) => {
        const text = replaceOnce(
          readFileSync(args.path, 'utf8'),
          '(0, promises_1.readFile)(',
          "require('modelseal:cyclonedx-schemas').readSchema(",
          args.path,
        );
        return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
      },
    );
    // `require('punycode')` (ajv-formats-draft2019's idn-hostname format) names Node's own module,
    // deprecated (DEP0040: a warning on every run on Node >= 21): bundle the userland package the
    // library depends on instead, resolved from the requiring file as Node would resolve 'punycode/'.
    build.onResolve({ filter: /^punycode$/ }, (args) => ({
      path: createRequire(path.join(args.resolveDir, 'x.js')).resolve('punycode/'),
    }));
    // CycloneDX's optional XML plug-ins (not installed, never used): a module that fails to load,
    // which the library reports as a missing optional dependency.
    build.onResolve({ filter: /^(xmlbuilder2|libxmljs2)$/ }, (args) => ({
      path: args.path,
      namespace: 'modelseal-absent',
    }));
    build.onLoad({ filter: /.*/, namespace: 'modelseal-absent' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(absent(args.path))}), { code: 'MODULE_NOT_FOUND' });\n`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^modelseal:cyclonedx-schemas$/ }, () => ({
      path: 'cyclonedx-schemas',
      namespace: 'modelseal',
    }));
    build.onLoad({ filter: /^cyclonedx-schemas$/, namespace: 'modelseal' }, () => {
      if (target.data !== 'embedded') {
        const contents = `const { readDataFile } = require('modelseal:data');
const names = new Set(${JSON.stringify(CYCLONEDX_SCHEMAS)});
exports.readSchema = async (file) => {
  const name = String(file).split('/').pop();
  if (!names.has(name)) throw new Error('CycloneDX schema ' + name + ' is not bundled in ${target.label}');
  return readDataFile('cyclonedx/' + name);
};
`;
        return { contents, loader: 'js', resolveDir: here };
      }
      const schemas = Object.fromEntries(
        CYCLONEDX_SCHEMAS.map((name) => [
          name,
          JSON.stringify(JSON.parse(readFileSync(path.join(cdxRoot, 'res', 'schema', name), 'utf8'))),
        ]),
      );
      const contents = `const schemas = ${JSON.stringify(schemas)};
exports.readSchema = async (file) => {
  const name = String(file).split('/').pop();
  if (!Object.prototype.hasOwnProperty.call(schemas, name)) throw new Error('CycloneDX schema ' + name + ' is not bundled in the Action');
  return schemas[name];
};
`;
      return { contents, loader: 'js' };
    });
    if (target.data === 'embedded') return;

    // Data files and SEA assets: one module with readDataFile(name).
    build.onResolve({ filter: /^modelseal:data$/ }, () => ({
      path: runtime(target.data === 'sea' ? 'sea-assets.cjs' : 'data-files.cjs'),
    }));
    // The split CLI loads its lazy dependency bundles from dist/lazy/ at run time.
    build.onResolve({ filter: /^\.\/lazy\// }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: /^modelseal:native-addon$/ }, () => ({
      path: runtime('sea-native-addon.cjs'),
    }));
    // The Sigstore TUF seeds (core's public-good snapshot and @sigstore/tuf's own require): one data file.
    build.onLoad({ filter: /[\\/]@sigstore[\\/]tuf[\\/]seeds\.json$/ }, () => ({
      contents:
        "module.exports = JSON.parse(require('modelseal:data').readDataFile('sigstore-tuf-seeds.json'));\n",
      loader: 'js',
      resolveDir: here,
    }));
    // The CLI's progress bar library, loaded only when a bar is shown: bundled, still on first use.
    build.onLoad({ filter: /[\\/]packages[\\/]cli[\\/]src[\\/]output\.ts$/ }, (args) => ({
      contents: replaceOnce(
        readFileSync(args.path, 'utf8'),
        "createRequire(import.meta.url)('cli-progress')",
        target.split ? lazyLoader(target, 'cli-progress') : "require('cli-progress')",
        args.path,
      ),
      loader: 'ts',
      resolveDir: path.dirname(args.path),
    }));
    if (target.data !== 'sea') return;
    // The hashing worker runs from its SEA asset (a worker cannot start from a file inside the executable).
    build.onLoad({ filter: /[\\/]digest[\\/]warm-workers\.js$/ }, (args) => {
      if (!args.path.startsWith(coreDist)) return undefined;
      const text = replaceOnce(
        readFileSync(args.path, 'utf8'),
        'function workerEntry() {',
        "function workerEntry() {\n    return { spec: require('node:sea').getAsset('hash-worker.cjs', 'utf8'), eval: true };",
        args.path,
      );
      // The patched entry is right only while the worker starts from the `{ spec, eval }` it returns
      // (ba2997d started it from a URL alone and every SEA hash failed): fail the build, not the binary.
      if (!text.includes('new Worker(entry.spec, { eval: entry.eval })'))
        throw new Error(
          `${args.path}: the hash worker no longer starts with new Worker(entry.spec, { eval: entry.eval })`,
        );
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
});

/** The data files a target reads at run time, as { relative name: absolute source }. */
function dataFiles(loc) {
  return {
    'sigstore-tuf-seeds.json': loc.tufSeeds,
    ...Object.fromEntries(
      CYCLONEDX_SCHEMAS.map((name) => [`cyclonedx/${name}`, path.join(loc.cdxRoot, 'res', 'schema', name)]),
    ),
  };
}

/** The native BLAKE3 addon for this platform (the .node file the sea target embeds). */
function nativeAddonFile(loc) {
  const pkg = `@napi-rs/blake-hash-${process.platform}-${process.arch}-gnu`;
  const requireFromNative = createRequire(loc.coreRequire.resolve(`${NATIVE}/package.json`));
  const dir = path.dirname(requireFromNative.resolve(`${pkg}/package.json`));
  const node = readdirSync(dir).find((f) => f.endsWith('.node'));
  if (!node) throw new Error(`no .node file in ${dir}`);
  return path.join(dir, node);
}

/**
 * Builds `name`'s bundle into `outdir` (default: the package's dist/) and returns the files it
 * wrote, relative to `outdir`. Throws on a build error or when a patched file changed upstream.
 */
export async function bundle(name, outdir) {
  const target = TARGETS[name];
  if (!target) throw new Error(`unknown target '${name}': one of ${Object.keys(TARGETS).join(', ')}`);
  const out = outdir ?? path.join(target.packageDir, 'dist');
  const loc = coreLocations(target.packageDir);
  if (target.data !== 'embedded') rmSync(out, { recursive: true, force: true });
  const entry = path.join(target.packageDir, target.entry);
  const written = await build(target, loc, entry, out, target.outputs.main, loc.coreDist);
  // The worker thread only hashes: it gets only the lazy modules of core's digest/ files.
  const digest = path.join(loc.coreDist, 'digest');
  const worker = path.join(digest, 'hash-worker.js');
  written.push(...(await build(target, loc, worker, out, target.outputs.worker, digest)));
  if (target.split) written.push(...(await buildLazyGroups(target, loc, out)));
  if (target.data === 'embedded') return written;
  for (const [rel, src] of Object.entries(dataFiles(loc))) {
    // JSON is rewritten compactly (same value, fewer bytes to read).
    mkdirSync(path.dirname(path.join(out, 'data', rel)), { recursive: true });
    writeFileSync(path.join(out, 'data', rel), JSON.stringify(JSON.parse(readFileSync(src, 'utf8'))));
    written.push(`data/${rel}`);
  }
  if (target.data === 'sea') {
    mkdirSync(path.join(out, 'native'), { recursive: true });
    copyFileSync(nativeAddonFile(loc), path.join(out, 'native', 'blake-hash.node'));
    written.push('native/blake-hash.node');
  }
  return written;
}

/**
 * The cli target's lazy dependencies, one CommonJS bundle per group in dist/lazy/: each exports its
 * modules as getters, so loading a group evaluates only the modules asked for.
 */
async function buildLazyGroups(target, loc, out) {
  const groups = new Map();
  for (const id of [...lazyModuleIds(loc.coreDist), 'cli-progress']) {
    if (id === NATIVE || id.startsWith('node:')) continue;
    groups.set(lazyGroup(id), [...(groups.get(lazyGroup(id)) ?? []), id]);
  }
  const written = [];
  for (const [group, ids] of groups) {
    const contents = ids
      .map(
        (id) =>
          `Object.defineProperty(exports, ${JSON.stringify(id)}, { enumerable: true, get: () => require(${JSON.stringify(id)}) });`,
      )
      .join('\n');
    await esbuild.build({
      absWorkingDir: target.packageDir,
      // cli-progress is the CLI's own dependency; the others are core's.
      stdin: {
        contents,
        resolveDir: group === 'cli-progress' ? target.packageDir : loc.coreDist,
        loader: 'js',
      },
      outfile: path.join(out, 'lazy', `${group}.cjs`),
      bundle: true,
      platform: 'node',
      target: 'node20.18',
      format: 'cjs',
      legalComments: 'eof',
      charset: 'utf8',
      logLevel: 'warning',
      plugins: [staticLoads(target, loc, loc.coreDist)],
    });
    written.push(`lazy/${group}.cjs`);
  }
  return written;
}

/** One esbuild run: `entry` to `out/name` (and its chunks when the target splits); returns the files. */
async function build(target, loc, entry, out, name, scope) {
  const esm = target.format === 'esm';
  const split = Boolean(target.split) && scope === loc.coreDist;
  const result = await esbuild.build({
    absWorkingDir: target.packageDir,
    // The split CLI also exposes its program (dist/program.js: `run(argv)`), for tests that run the
    // CLI in their own process; bin.js imports the same module.
    entryPoints: split
      ? { [name.replace(/\.js$/, '')]: entry, program: path.join(path.dirname(entry), 'program.ts') }
      : [entry],
    ...(split
      ? { outdir: out, splitting: true, chunkNames: 'chunk-[hash]', metafile: true }
      : { outfile: path.join(out, name) }),
    bundle: true,
    platform: 'node',
    target: target.data === 'sea' ? 'node24' : 'node20.18',
    format: target.format,
    // CommonJS dependencies call require() for Node's own modules: give the ESM bundle one.
    banner: esm
      ? {
          js: "import { createRequire as __modelsealCreateRequire } from 'node:module';\nconst require = __modelsealCreateRequire(import.meta.url);",
        }
      : undefined,
    // The npm CLI loads the native module from its installed dependencies.
    external: target.data === 'files' ? [NATIVE] : [],
    // The sea target replaces every import.meta use that runs (lazy modules, worker, tool version).
    logOverride: esm ? undefined : { 'empty-import-meta': 'silent' },
    legalComments: 'eof',
    charset: 'utf8',
    sourcemap: false,
    logLevel: 'warning',
    plugins: [staticLoads(target, loc, scope)],
  });
  if (!split) return [name];
  return Object.keys(result.metafile.outputs).map((f) =>
    path.relative(out, path.resolve(target.packageDir, f)),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, outdir] = process.argv.slice(2);
  await bundle(name ?? '', outdir ? path.resolve(outdir) : undefined);
}
