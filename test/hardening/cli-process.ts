// Runs the built `modelseal` CLI as a real process for the hardening tests: a fresh temp
// directory as the working directory, no inherited COSIGN_PASSWORD or MODELSEAL_DEBUG.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'packages/cli/dist/bin.js');
export const TEST_KEY = path.join(REPO, 'fixtures/keys/test.key');
export const TEST_PUB = path.join(REPO, 'fixtures/keys/test.pub');
export const TEST_PASSWORD = 'modelseal-test';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Build the packages once if the CLI is missing. */
export function ensureBuilt(): void {
  if (existsSync(BIN)) return;
  const r = spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: REPO, encoding: 'utf8' });
  if (!existsSync(BIN)) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env }))
    if (v !== undefined && k !== 'MODELSEAL_DEBUG') out[k] = v;
  if (!('COSIGN_PASSWORD' in env)) delete out.COSIGN_PASSWORD;
  return out;
}

/** A temp working directory and a synchronous / asynchronous runner of the CLI inside it. */
export function cliSandbox(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const run = (args: string[], env: Record<string, string | undefined> = {}, cwd = dir): CliResult => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      cwd,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** Run the CLI without blocking; killed (exit code null) after `killAfterMs`. */
  const runAsync = (
    args: string[],
    env: Record<string, string | undefined> = {},
    killAfterMs = 120_000,
  ): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: dir,
        env: cleanEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      });
    });
  return { dir, run, runAsync, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sign `model` with the fixture key; extra args appended. */
export const signArgs = (model: string, ...extra: string[]): string[] => [
  'sign',
  model,
  '--key',
  TEST_KEY,
  ...extra,
];
export const PASSWORD_ENV = { COSIGN_PASSWORD: TEST_PASSWORD };
