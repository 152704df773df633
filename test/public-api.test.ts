// The published surface of @modelseal/core, read from the built package (dist/*.d.ts, dist/*.js)
// the way a user's TypeScript and Node see it: the root stays small, every subpath in `exports`
// loads, and every exported name carries a /** */ doc comment that survived into the .d.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = path.join(repo, 'packages/core');
const pkg = JSON.parse(readFileSync(path.join(core, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};

/** For each built .d.ts: its exported names, and those whose declarations carry no /** *\/ comment. */
function undocumented(files: string[]): Map<string, { names: string[]; missing: string[] }> {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, { names: string[]; missing: string[] }>();
  for (const dts of files) {
    const file = program.getSourceFile(dts);
    if (!file) throw new Error(`cannot load ${dts}`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`${dts} is not a module`);
    const names: string[] = [];
    const missing: string[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      names.push(exported.name);
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented = (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
      if (!documented) missing.push(exported.name);
    }
    result.set(dts, { names, missing });
  }
  return result;
}

describe('public API of @modelseal/core', () => {
  it('the root export holds at most 40 runtime values', async () => {
    const root = (await import(pathToFileURL(path.join(core, pkg.exports['.'].default)).href)) as object;
    const count = Object.keys(root).length;
    expect(count).toBeLessThanOrEqual(40);
    expect(Object.keys(root)).toEqual(
      expect.arrayContaining([
        'hashModel',
        'sign',
        'verify',
        'pushModel',
        'pullModel',
        'copy',
        'ModelsealError',
      ]),
    );
    // issue 19: one verb per MODEL|REF pair, the pair functions are not public
    expect(Object.keys(root)).not.toContain('signModel');
    expect(Object.keys(root)).not.toContain('verifyModel');
  });

  it('declares the subpath exports ./oci, ./oms, ./keys, ./sigstore and ./hashing, and each loads', async () => {
    expect(Object.keys(pkg.exports)).toEqual(
      expect.arrayContaining(['.', './hashing', './keys', './oci', './oms', './sigstore', './package.json']),
    );
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (sub === './package.json') continue;
      const mod = (await import(pathToFileURL(path.join(core, target.default)).href)) as object;
      expect(Object.keys(mod).length, sub).toBeGreaterThan(0);
    }
  });

  it('every export of every entry point has a /** */ doc comment in the built .d.ts', () => {
    const report: Record<string, string[]> = {};
    const entries = Object.entries(pkg.exports).filter(([sub]) => sub !== './package.json');
    const found = undocumented(entries.map(([, target]) => path.join(core, target.types)));
    for (const [sub, target] of entries) {
      const { names, missing } = found.get(path.join(core, target.types))!;
      expect(names.length, sub).toBeGreaterThan(0);
      if (missing.length) report[sub] = missing;
    }
    expect(report).toEqual({});
  });
});
