// `modelseal policy init | check` run as a real process (the built CLI).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cli-policy-'));

beforeAll(() => {
  if (existsSync(BIN)) return;
  const r = spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo, encoding: 'utf8' });
  if (!existsSync(BIN)) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const modelseal = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('modelseal policy', () => {
  it('init prints a commented example that check accepts', () => {
    const init = modelseal('policy', 'init');
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/^# modelseal ModelPolicy/);
    const file = path.join(tmp, 'policy.yaml');
    writeFileSync(file, init.stdout);
    const check = modelseal('policy', 'check', file, '--json');
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual({
      valid: true,
      name: 'prod-serving',
      digest: `sha256:${createHash('sha256').update(init.stdout).digest('hex')}`,
      mode: 'enforce',
      identities: ['acme-training'],
      requires: ['signatures.oms', 'provenance', 'sbom', 'weights'],
    });
    const text = modelseal('policy', 'check', file);
    expect(text.stdout.split('\n')[0]).toBe(
      `${file}: policy prod-serving is valid (sha256:${createHash('sha256').update(init.stdout).digest('hex')})`,
    );
  });

  it('an invalid policy exits 2 with one line naming line, column and field', () => {
    const file = path.join(tmp, 'typo.yaml');
    writeFileSync(file, modelseal('policy', 'init').stdout.replace('    provenance:', '    provenence:'));
    const r = modelseal('policy', 'check', file);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `modelseal: error[POLICY_INVALID]: ${file}: line 40, column 5: spec.require.provenence: unknown field (a typo, or a field this apiVersion does not have)\n`,
    );
  });

  it('a missing file is NOT_FOUND, exit 2', () => {
    const r = modelseal('policy', 'check', path.join(tmp, 'absent.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[NOT_FOUND]: policy ${path.join(tmp, 'absent.yaml')}: no such file\n`,
    );
  });
});
