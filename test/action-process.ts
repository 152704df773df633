// Runs the GitHub Action the way a runner does: `node dist/index.js` from a copy of action.yml + dist/
// in an empty temp dir (nothing installed next to it), with INPUT_<NAME> variables (upper-cased,
// dashes kept, as @actions/core reads them), the GITHUB_* / RUNNER_* variables of a recorded workflow
// run, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files that are read back afterwards.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './cli-process.js';

/** The variables of a recorded push run of octo/model's release workflow (they match the stack's GitHub token). */
export const RECORDED_RUN: Record<string, string> = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTION: '__octo_modelseal',
  GITHUB_ACTION_REPOSITORY: 'octo/modelseal',
  GITHUB_ACTOR: 'octocat',
  GITHUB_ACTOR_ID: '583231',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_JOB: 'train',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_REPOSITORY: 'octo/model',
  GITHUB_REPOSITORY_ID: '1001',
  GITHUB_REPOSITORY_OWNER: 'octo',
  GITHUB_REPOSITORY_OWNER_ID: '2002',
  GITHUB_RETENTION_DAYS: '90',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_NUMBER: '7',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_TRIGGERING_ACTOR: 'octocat',
  GITHUB_WORKFLOW: 'release',
  GITHUB_WORKFLOW_REF: 'octo/model/.github/workflows/release.yml@refs/heads/main',
  GITHUB_WORKFLOW_SHA: '0123456789abcdef0123456789abcdef01234567',
  RUNNER_ARCH: 'X64',
  RUNNER_ENVIRONMENT: 'github-hosted',
  RUNNER_NAME: 'GitHub Actions 12',
  RUNNER_OS: 'Linux',
};

/** The keyless identity Fulcio gives the recorded run's token (the job workflow URI). */
export const RUN_IDENTITY = 'https://github.com/octo/model/.github/workflows/release.yml@refs/heads/main';
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

let installed: string | undefined;

/** Copies action.yml and dist/ into an empty temp dir once; returns the copied dist/index.js. */
export function installedAction(): string {
  if (installed) return installed;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modelseal-action-'));
  cpSync(path.join(REPO, 'packages/action/action.yml'), path.join(dir, 'action.yml'));
  cpSync(path.join(REPO, 'packages/action/dist'), path.join(dir, 'dist'), { recursive: true });
  installed = path.join(dir, 'dist', 'index.js');
  return installed;
}

/** What a run left: exit code, the log, the step outputs and the job summary. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM\n` entries, as @actions/core writes them). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2\n/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

/**
 * Runs the action with `inputs` (names as in action.yml) and `env` (added to a minimal environment:
 * PATH and HOME only). Async: the local Sigstore stack serves from this process's event loop.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  cwd?: string,
): Promise<ActionRun> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'modelseal-run-'));
  const outputFile = path.join(work, 'output');
  const summaryFile = path.join(work, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    RUNNER_TEMP: work,
    GITHUB_WORKSPACE: cwd ?? work,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...env,
  };
  for (const [k, v] of Object.entries(inputs)) full[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  // --pending-deprecation: Node 20 warns about what Node 24 (the runner's node24) deprecates outright,
  // such as the built-in punycode (DEP0040), so a test can require a run to print no warning.
  const child = spawn(process.execPath, ['--pending-deprecation', installedAction()], {
    cwd: cwd ?? work,
    env: full,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

/** The `::error` lines of a run's log. */
export const errorLines = (r: ActionRun): string[] =>
  r.stdout.split('\n').filter((l) => l.startsWith('::error'));

/** A request the fake attestations API received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP endpoint speaking GitHub's attestation API (POST /repos/{owner}/{repo}/attestations
 * -> 201 {"id": N}), recording every request. Set GITHUB_API_URL to `url`.
 */
export async function startAttestationApi(): Promise<{
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const ok = req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/attestations$/.test(req.url ?? '');
      res.writeHead(ok ? 201 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { id: 4242 + requests.length } : { message: 'Not Found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs the built CLI asynchronously (the local stack and registry proxy serve from this process). */
export function modelsealCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(SIGSTORE_ID_TOKEN|ACTIONS_ID_TOKEN_REQUEST_|MODELSEAL_DEBUG|COSIGN_PASSWORD|GITHUB_)/.test(k),
    ),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO, 'packages/cli/dist/bin.js'), ...args],
      { env: { ...clean, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

/**
 * The OMS root of a model directory computed here from the files (not with modelseal): SHA-256 of
 * each file in UTF-8 path order, then SHA-256 over the concatenated raw digests. `skip` names
 * top-level entries left out (model.sig, .git...).
 */
export function omsRootOf(
  dir: string,
  skip: string[] = ['model.sig'],
): { root: string; files: number; bytes: number } {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && skip.includes(e.name)) continue;
      if (e.isDirectory()) walk(r);
      else files.push(r);
    }
  };
  walk('');
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const outer = createHash('sha256');
  let bytes = 0;
  for (const f of files) {
    const data = readFileSync(path.join(dir, f));
    bytes += data.length;
    outer.update(createHash('sha256').update(data).digest());
  }
  return { root: outer.digest('hex'), files: files.length, bytes };
}
