// The committed Action bundle: packages/action/dist/ must be exactly what scripts/bundle/build.mjs builds
// from the current sources (a stale dist/ fails `pnpm test`), and action.yml must declare every
// input the code reads and every output it sets, with the runtime the design names.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './cli-process.js';

const ACTION = path.join(REPO, 'packages/action');

function sources(): string {
  const dir = path.join(ACTION, 'src');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

describe('the Action bundle', () => {
  it('dist/ is byte-identical to a fresh build (else run: pnpm --filter @modelseal/action bundle)', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'ms-action-dist-'));
    execFileSync(process.execPath, [path.join(REPO, 'scripts/bundle/build.mjs'), 'action', out], {
      stdio: 'pipe',
    });
    const committed = readdirSync(path.join(ACTION, 'dist')).sort();
    expect(committed).toEqual(['hash-worker.js', 'index.js']);
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const f of committed) {
      const fresh = readFileSync(path.join(out, f));
      const stale = readFileSync(path.join(ACTION, 'dist', f));
      expect(
        fresh.equals(stale),
        `packages/action/dist/${f} is stale: run 'pnpm --filter @modelseal/action bundle' and commit dist/`,
      ).toBe(true);
    }
  });

  it('runs on node24 from dist/index.js and declares exactly the inputs and outputs the code uses', () => {
    const yml = parse(readFileSync(path.join(ACTION, 'action.yml'), 'utf8'));
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    const src = sources();
    const read = new Set(
      [...src.matchAll(/\b(?:optional|bool|lines|core\.getInput)\('([a-z-]+)'/g)].map((m) => m[1]),
    );
    expect([...read].sort()).toEqual(Object.keys(yml.inputs).sort());
    const set = new Set([...src.matchAll(/core\.setOutput\('([a-z-]+)'/g)].map((m) => m[1]));
    expect([...set].sort()).toEqual(Object.keys(yml.outputs).sort());
    // the inputs and outputs issue 11 names
    for (const name of [
      'model-path',
      'registry-ref',
      'signature-path',
      'key',
      'key-password',
      'provenance',
      'sbom',
      'dataset',
      'base-model',
      'ignore-paths',
      'github-attestations',
      'policy',
      'dest',
    ])
      expect(yml.inputs).toHaveProperty([name]);
    expect(yml.inputs.provenance.default).toBe('true');
    expect(yml.inputs.sbom.default).toBe('true');
    expect(yml.inputs['github-attestations'].default).toBe('false');
    expect(yml.inputs.mode.default).toBe('sign');
    for (const name of ['digest', 'oms-root', 'signature-path', 'provenance-bundle', 'sbom-bundle'])
      expect(yml.outputs).toHaveProperty([name]);
  });
});
