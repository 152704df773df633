// Bundles the Action into dist/ with esbuild: dist/index.js (the entry action.yml runs) and
// dist/hash-worker.js (the hashing worker thread core starts from next to the code). Nothing is
// installed at run time, so what core loads by name at run time is made static here:
//   - core's lazyModule('id') calls (createRequire at run time) become a table of require('id') calls;
//   - core's tool version is read from its package.json now, not from a path next to the code;
//   - CycloneDX's JSON schemas (read from files beside the library) are embedded;
//   - `punycode` is the userland package, not Node's deprecated built-in.
// The output is deterministic (no timestamps, paths relative to this package): `pnpm test` rebuilds it
// into a temp dir and fails when the committed dist/ differs (test/action-dist.test.ts).
// Usage: node scripts/bundle.mjs [OUTDIR]   (default dist)
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '..');
const requireFromAction = createRequire(path.join(packageDir, 'package.json'));
const coreDist = path.dirname(requireFromAction.resolve('@modelseal/core'));
const coreRequire = createRequire(path.join(coreDist, 'index.js'));

/** Modules core loads lazily that must not be bundled (native code): they fail to load, core falls back. */
const NOT_BUNDLED = new Set(['@napi-rs/blake-hash']);
/** The CycloneDX schemas the 1.6 JSON validator reads. */
const CYCLONEDX_SCHEMAS = [
  'bom-1.6.SNAPSHOT.schema.json',
  'spdx.SNAPSHOT.schema.json',
  'cryptography-defs.SNAPSHOT.schema.json',
  'jsf-0.82.SNAPSHOT.schema.json',
];

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
  if (ids.size === 0) throw new Error(`no lazyModule('...') calls found under ${coreDist}`);
  return [...ids].sort();
}

function replaceOnce(text, from, to, file) {
  if (!text.includes(from))
    throw new Error(`bundle: '${from}' not found in ${file}; update scripts/bundle.mjs`);
  return text.split(from).join(to);
}

/** The plugin, for code that uses the lazy modules of core's files under `scope`. */
const staticLoads = (scope) => ({
  name: 'modelseal-static-loads',
  setup(build) {
    build.onLoad({ filter: /[\\/]lazy-module\.js$/ }, (args) => {
      if (!args.path.startsWith(coreDist)) return undefined;
      const entries = lazyModuleIds(scope).map((id) =>
        NOT_BUNDLED.has(id)
          ? `  ${JSON.stringify(id)}: () => { throw new Error(${JSON.stringify(`${id} is not bundled in the Action`)}); },`
          : `  ${JSON.stringify(id)}: () => require(${JSON.stringify(id)}),`,
      );
      const contents = `const loaders = {\n${entries.join('\n')}\n};
export function lazyModule(id) {
  let loaded;
  return () => {
    const load = loaders[id];
    if (!load) throw new Error(\`\${id} is not bundled in the Action\`);
    return (loaded ??= load());
  };
}
`;
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
    build.onLoad({ filter: /[\\/]attest[\\/]tool-version\.js$/ }, (args) => {
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
    // validator reads them. Both read the embedded copies instead.
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
      contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is not bundled in the Action`)}), { code: 'MODULE_NOT_FOUND' });\n`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^modelseal:cyclonedx-schemas$/ }, () => ({
      path: 'cyclonedx-schemas',
      namespace: 'modelseal',
    }));
    build.onLoad({ filter: /.*/, namespace: 'modelseal' }, () => {
      const cdxRoot = path.dirname(path.dirname(coreRequire.resolve('@cyclonedx/cyclonedx-library')));
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
  },
});

/** Builds dist/index.js and dist/hash-worker.js into `outdir`. */
export async function bundle(outdir = path.join(packageDir, 'dist')) {
  // The worker thread only hashes: it gets only the lazy modules of core's digest/ files.
  await build(path.join(packageDir, 'src', 'main.ts'), path.join(outdir, 'index.js'), coreDist);
  const digest = path.join(coreDist, 'digest');
  await build(path.join(digest, 'hash-worker.js'), path.join(outdir, 'hash-worker.js'), digest);
}

async function build(entry, outfile, scope) {
  await esbuild.build({
    absWorkingDir: packageDir,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20.18',
    format: 'esm',
    // CommonJS dependencies call require() for Node's own modules: give the ESM bundle one.
    banner: {
      js: "import { createRequire as __modelsealCreateRequire } from 'node:module';\nconst require = __modelsealCreateRequire(import.meta.url);",
    },
    legalComments: 'eof',
    charset: 'utf8',
    sourcemap: false,
    logLevel: 'warning',
    plugins: [staticLoads(scope)],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
