// `pnpm sigstore:local` run as a real process: the commands it prints are pasted into bash from a
// directory that is not the repository, once with the plain test token and once with the GitHub
// Actions token variables, and each signs and verifies a model (exit 0).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../cli-process.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-sigstore-local-'));
let server: ChildProcess;
let printed = '';

beforeAll(async () => {
  server = spawn(process.execPath, ['--import', 'tsx', 'test/sigstore/serve.ts'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server.stdout?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`sigstore:local exited with ${code}:\n${printed}`)));
    server.stdout?.on('data', (chunk: string) => {
      printed += chunk;
      if (/--certificate-github-workflow-repository .*\n$/.test(printed)) resolve();
    });
  });
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), path.join(tmp, 'my-model'), { recursive: true });
}, 120_000);
afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

/** The indented command lines after `heading`, up to the next blank line, as one script. */
function commandsAfter(heading: RegExp): string {
  const lines = printed.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  expect(start).toBeGreaterThan(0);
  const end = lines.indexOf('', start);
  return lines
    .slice(start + 1, end)
    .map((l) => l.replace(/^ {2}/, ''))
    .join('\n');
}

const runFromElsewhere = (script: string) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(SIGSTORE_|ACTIONS_ID_TOKEN_|GITHUB_)/.test(k)),
    );
    const child = spawn('bash', ['-euo', 'pipefail', '-c', `exec 2>&1\n${script}`], { cwd: tmp, env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });

describe('pnpm sigstore:local', () => {
  it('prints absolute paths only, and the GitHub Actions token variables', () => {
    for (const m of printed.matchAll(/--(?:trusted-root|signing-config) (\S+)/g))
      expect(path.isAbsolute(m[1]), m[0]).toBe(true);
    expect(printed).toMatch(/^ {2}export ACTIONS_ID_TOKEN_REQUEST_URL='http:\/\/127\.0\.0\.1:\d+\/.*'$/m);
    expect(printed).toMatch(/^ {2}export ACTIONS_ID_TOKEN_REQUEST_TOKEN='.+'$/m);
    expect(printed).toContain(`node ${path.join(REPO, 'packages/cli/dist/bin.js')} sign ./my-model`);
    expect(printed).not.toContain('pnpm modelseal');
  });

  it('its test-identity commands sign and verify from another directory', async () => {
    const r = await runFromElsewhere(commandsAfter(/^sign and verify a model with it/));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^verified (\.\/)?my-model: sha256:[0-9a-f]{64}, 10 files, /m);
  }, 120_000);

  it('its GitHub Actions commands sign with the Actions token and verify the workflow identity', async () => {
    const r = await runFromElsewhere(commandsAfter(/^or sign as a GitHub Actions workflow does/));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('https://github.com/octo/model/.github/workflows/release.yml@refs/heads/main');
  }, 120_000);
});
