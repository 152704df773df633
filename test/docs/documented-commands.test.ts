// The shell blocks of docs/tutorial.md run, in order, in one bash (set -euo pipefail) with the built
// CLI as `modelseal` on PATH, HOME in a temporary directory, a real docker-registry standing in for
// localhost:5000 and a free port for the admission webhook's 127.0.0.1:8443. The ```text block after
// a shell block is what it prints: each of its lines must appear, in order, in that block's output
// (`…` matches anything). A block preceded by `<!-- docs-test: skip (why) -->` is not run; the skip
// must say why. Leading spaces and tree drawing characters are ignored when lines are compared.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../cli-process.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';
import {
  blockOutputs,
  cliBinDir,
  docsEnv,
  missingLines,
  shellBlocks,
  type ShellBlock,
} from './shell-blocks.js';

let registry: RunningRegistry;
let webhookPort: number;
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-docs-commands-'));

/** A TCP port that was free on 127.0.0.1 a moment ago (the kernel's pick, released for the webhook). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  [registry, webhookPort] = await Promise.all([startRegistry(), freePort()]);
}, 60_000);
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** What the test replaces in the tutorial's blocks and output (each must match), and why. */
const REPLACEMENTS: { from: string; to: () => string; why: string }[] = [
  {
    from: 'localhost:5000',
    to: () => registry.host,
    why: 'the test starts its own docker-registry on a random port',
  },
  {
    from: '127.0.0.1:8443',
    to: () => `127.0.0.1:${webhookPort}`,
    why: 'the admission webhook listens on a port the test picked',
  },
];

/** Runs the blocks of `file` in one bash; returns each run block's output, split at markers. */
function runDoc(file: string, blocks: ShellBlock[]) {
  const bin = cliBinDir(tmp);
  const home = mkdtempSync(path.join(tmp, 'home-'));
  const host = (s: string) => REPLACEMENTS.reduce((t, r) => t.replaceAll(r.from, r.to()), s);
  const run = blocks.filter((b) => b.skip === undefined);
  const unmatched = REPLACEMENTS.filter((r) => !run.some((b) => b.script.includes(r.from)));
  if (unmatched.length > 0) throw new Error(`a replacement matched nothing: ${unmatched[0].why}`);
  // a block that fails leaves no background job behind (the webhook): bash kills its jobs on exit
  const script = [
    'exec 2>&1',
    "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
    ...run.map((b, k) => `echo '@@block ${k}@@'\n${host(b.script)}`),
  ].join('\n');
  const env = docsEnv();
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 290_000,
    env: { ...env, HOME: home, PATH: `${bin}:${env.PATH}`, TMPDIR: tmp },
  });
  return { status: r.status, stdout: r.stdout, home, run, outputs: blockOutputs(r.stdout), file, host };
}

describe('docs/tutorial.md', () => {
  const doc = readFileSync(path.join(REPO, 'docs/tutorial.md'), 'utf8');
  const blocks = shellBlocks(doc);

  it('has shell blocks, and every block it skips says why', () => {
    expect(blocks.filter((b) => b.skip === undefined).length).toBeGreaterThanOrEqual(10);
    expect(blocks.filter((b) => b.skip !== undefined).map((b) => b.skip)).toEqual([
      'the test runs the CLI it has just built, as `modelseal` on PATH',
      'the test starts its own docker-registry on a random port',
    ]);
  });

  it('every command runs against a real registry and prints what the tutorial shows', () => {
    const res = runDoc('docs/tutorial.md', blocks);
    const last = Math.max(...res.outputs.keys());
    const failedAt = res.run[last];
    expect(res.status, `docs/tutorial.md:${failedAt.line} failed:\n${res.outputs.get(last)}`).toBe(0);
    expect(res.outputs.size).toBe(res.run.length);
    for (const [k, b] of res.run.entries()) {
      const expected = b.expected.map(res.host);
      expect(
        missingLines(expected, res.outputs.get(k) ?? ''),
        `docs/tutorial.md:${b.line} printed:\n${res.outputs.get(k)}`,
      ).toEqual([]);
    }
    // what the blocks leave behind: the policy's verdict file, the deployed model and its signature
    const work = path.join(res.home, 'modelseal-tutorial');
    const result = JSON.parse(readFileSync(path.join(work, 'result.json'), 'utf8')) as {
      verdict?: string;
      allowed?: boolean;
    };
    expect(JSON.stringify(result)).toMatch(/"allowed"/);
    expect(readFileSync(path.join(work, 'deployed/model.sig'), 'utf8')).toMatch(
      /^\{"mediaType":"application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json"/,
    );
  }, 300_000);
});

describe('missingLines (the output matcher)', () => {
  it('matches whole lines in order, … as a wildcard, and reports what is missing', () => {
    const out = 'a 1\nverified x: sha256:abc, 3 files\nexit code 1\n';
    expect(missingLines(['verified x: sha256:…, 3 files', 'exit code 1'], out)).toEqual([]);
    expect(missingLines(['exit code 1', 'verified x: …'], out)).toEqual(['verified x: …']);
    expect(missingLines(['exit code 2'], out)).toEqual(['exit code 2']);
    expect(missingLines(['verified'], out)).toEqual(['verified']);
    const tree = '├── a\n│   └── sha256:12\n│       OMS signature\n';
    expect(missingLines(['├── a', '    └── sha256:…', 'OMS signature'], tree)).toEqual([]);
  });
});
