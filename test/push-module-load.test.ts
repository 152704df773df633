// Issue 25: a plain `push` loads only what pushing needs. The policy engine (zod, yaml), Sigstore and
// CycloneDX once came in through an import of a flag parser and cost a 2 GiB push ~8 MiB of peak RSS
// (docs/performance.md). The built CLI runs under a preload (test/module-load/record-modules.mjs) that
// records every module file the process loads; the bundle's chunks are then searched for the
// libraries' own class names. `verify --policy` is the control: it must show the policy engine, or
// the recorder sees nothing and this test proves nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO, cliSandbox, ensureBuilt } from './hardening/cli-process.js';

const box = cliSandbox('ms-module-load-');
const RECORDER = pathToFileURL(path.join(REPO, 'test/module-load/record-modules.mjs')).href;
const DIST = path.dirname(BIN);
afterAll(() => box.cleanup());

/** Runs the CLI with the recorder; its exit code and the dist/ files it loaded (relative paths). */
function loaded(args: string[], name: string): { code: number | null; stderr: string; files: string[] } {
  const out = path.join(box.dir, `${name}.modules`);
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
    cwd: box.dir,
    encoding: 'utf8',
    env: { ...process.env, RECORD_MODULES_TO: out, MODELSEAL_DEBUG: undefined },
  });
  const files = readFileSync(out, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => fileURLToPath(u))
    .filter((f) => f.startsWith(DIST + path.sep))
    .map((f) => path.relative(DIST, f));
  return { code: r.status, stderr: r.stderr, files: [...new Set(files)].sort() };
}

/** Which of the heavy libraries the loaded dist/ files hold (by their own class names or bundle names). */
function heavyLibraries(files: string[]): string[] {
  const found = new Set<string>();
  for (const f of files) {
    const text = readFileSync(path.join(DIST, f), 'utf8');
    if (text.includes('ZodError')) found.add('zod');
    if (text.includes('YAMLParseError')) found.add('yaml');
    if (f.startsWith('lazy/sigstore')) found.add('sigstore');
    if (f.startsWith('lazy/cyclonedx')) found.add('cyclonedx');
  }
  return [...found].sort();
}

describe('what a command loads', () => {
  ensureBuilt();
  const model = path.join(box.dir, 'model');
  mkdirSync(model);
  writeFileSync(path.join(model, 'model.safetensors'), Buffer.alloc(4096, 7));
  writeFileSync(path.join(model, 'config.json'), '{"architectures": ["Tiny"]}\n');

  it('push to an OCI layout loads no policy engine, Sigstore or CycloneDX', () => {
    const r = loaded(['push', model, 'oci:layout:v1'], 'push');
    expect(r.code, r.stderr).toBe(0);
    expect(r.files).toContain('bin.js');
    expect(heavyLibraries(r.files)).toEqual([]);
  });

  it('control: verify --policy loads the policy engine (zod and yaml)', () => {
    writeFileSync(path.join(box.dir, 'policy.yaml'), 'apiVersion: modelseal/v1\n');
    const r = loaded(['verify', model, '--policy', 'policy.yaml'], 'verify-policy');
    expect(r.code).not.toBe(0);
    expect(heavyLibraries(r.files)).toEqual(expect.arrayContaining(['yaml', 'zod']));
  });
});
