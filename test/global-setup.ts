// Vitest global setup: CLI process tests run packages/*/dist, so rebuild it once, before any test
// file starts, whenever a source file is newer than the build (or there is no build). `pnpm test`
// builds first, so this costs nothing there; a focused `npx vitest run` never tests a stale dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = ['packages/core/dist/index.js', 'packages/cli/dist/bin.js'].map((f) => path.join(repo, f));

function newestSource(dir: string): number {
  let newest = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (d.name.endsWith('.ts') && !d.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = OUTPUTS.every((f) => existsSync(f))
    ? Math.min(...OUTPUTS.map((f) => statSync(f).mtimeMs))
    : 0;
  const sources = Math.max(
    ...['packages/core/src', 'packages/cli/src'].map((d) => newestSource(path.join(repo, d))),
  );
  if (built > sources) return;
  const r = spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed (pnpm -r run build):\n${r.stdout}\n${r.stderr}`);
}
