// No import cycles in the packages' sources, between files or between folders (issue 19): a folder
// is one concept, and two concepts that import each other are one tangled concept. Type-only and
// dynamic imports count. Entry-point barrels (a package's index.ts and core's subpath entries such
// as oci.ts) only re-export and are left out; tests are left out.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Relative imports of every non-test source file under `src`, keyed by path relative to `src`. */
function importGraph(src: string): Map<string, string[]> {
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const barrels = new Set(files.filter((f) => f === 'index.ts' || isEntry(src, f)));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    if (barrels.has(f)) continue;
    const targets = [...readFileSync(path.join(src, f), 'utf8').matchAll(IMPORT)].map((m) =>
      path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1])).replace(/\.js$/, '.ts'),
    );
    graph.set(
      f,
      targets.filter((t) => !barrels.has(t)),
    );
  }
  return graph;
}

/** True when `f` is a subpath entry named in the package's exports (core's `./oci` → oci.ts). */
function isEntry(src: string, f: string): boolean {
  const pkg = JSON.parse(readFileSync(path.join(src, '..', 'package.json'), 'utf8')) as { exports?: object };
  return Object.keys(pkg.exports ?? {}).includes(`./${f.replace(/\.ts$/, '')}`);
}

/** The strongly connected components with more than one node (Tarjan), each sorted. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Each node's set of targets, with nodes named by `nodeOf` and self-edges dropped. */
function collapse(graph: Map<string, string[]>, nodeOf: (file: string) => string): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [f, targets] of graph) {
    const from = nodeOf(f);
    const set = edges.get(from) ?? new Set<string>();
    edges.set(from, set);
    for (const t of targets) if (nodeOf(t) !== from) set.add(nodeOf(t));
  }
  return edges;
}

// A top-level file is its own node; a file in a folder belongs to the folder's node.
const folderOf = (f: string) => (f.includes('/') ? `${f.split('/')[0]}/` : f);

describe('import cycles', () => {
  it('the checker finds a file cycle and a folder cycle', () => {
    const graph = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['errors.ts']],
      ['b/z.ts', ['a/w.ts']],
      ['a/w.ts', []],
      ['errors.ts', []],
      ['p/q.ts', ['p/r.ts']],
      ['p/r.ts', ['p/q.ts']],
    ]);
    expect(cycles(collapse(graph, (f) => f))).toEqual([['p/q.ts', 'p/r.ts']]);
    expect(cycles(collapse(graph, folderOf))).toEqual([['a/', 'b/']]);
  });

  for (const [pkg, atLeast] of [
    ['core', 100],
    ['action', 5],
    ['cli', 30],
  ] as const) {
    const src = path.join(repo, 'packages', pkg, 'src');
    it(`packages/${pkg}/src has no cycle between files`, () => {
      expect(cycles(collapse(importGraph(src), (f) => f))).toEqual([]);
    });
    it(`packages/${pkg}/src has no cycle between folders`, () => {
      const graph = importGraph(src);
      expect(graph.size).toBeGreaterThan(atLeast);
      expect(cycles(collapse(graph, folderOf))).toEqual([]);
    });
  }
});
