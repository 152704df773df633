// Runs the built `modelseal` CLI as a real process (test/global-setup.ts rebuilds dist/ first when
// any source is newer), with a clean environment: no COSIGN_PASSWORD or MODELSEAL_DEBUG unless given.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BIN = path.join(REPO, 'packages/cli/dist/bin.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `modelseal ...args` in `cwd`, waiting up to 60 s; env entries set to undefined are removed. */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): CliResult {
  const env: Record<string, string> = {};
  const given = opts.env ?? {};
  for (const [k, v] of Object.entries({ ...process.env, ...given }))
    if (v !== undefined && k !== 'MODELSEAL_DEBUG') env[k] = v;
  if (!('COSIGN_PASSWORD' in given)) delete env.COSIGN_PASSWORD;
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: opts.cwd ?? REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
