import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { http } from './node-http.js';

const src = path.dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('node:http through require', () => {
  it('is the node:http module', () => {
    expect(http()).toBe(createRequire(import.meta.url)('node:http'));
    expect(typeof http().request).toBe('function');
  });

  it('no library file imports values from node:http as an ES module (Node 24: +12 MiB at start-up)', () => {
    const offenders = sources(src).filter((file) =>
      /^import(?!\s+type\b)[^;]*from\s+'node:http'/m.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
    // the check itself finds such an import
    expect(
      /^import(?!\s+type\b)[^;]*from\s+'node:http'/m.test("import { createServer } from 'node:http';"),
    ).toBe(true);
  });
});
