// The ```sh blocks of README.md run, in order, in one bash (set -euo pipefail) with the built CLI as
// `modelseal` on PATH, in a working directory that holds what the README assumes the reader has: a
// model (./my-model, fixtures/models/sample-model), COSIGN_PASSWORD set, a certificate chain
// (leaf.key, leaf.pem, intermediate.pem, root-ca.pem) and a model signed by the Python model_signing
// CLI (./model with ca-cert.pem, fixtures/interop/oms-python). What the README names but a test
// cannot reach is replaced, each replacement listed in REPLACEMENTS with its reason: the registry at
// 127.0.0.1:5000 by a real docker-registry on a random port, Sigstore public-good by the local
// Sigstore stack (its signing config, trusted root and a GitHub Actions token for acme/train), and
// the init container's /models/m by a directory of the test. Blocks marked
// `<!-- docs-test: skip (why) -->` are not run; the test pins their reasons.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../cli-process.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';
import { startSigstoreStack, type SigstoreStack } from '../sigstore/stack.js';
import { cliBinDir, docsEnv, missingLines, shellBlocks } from './shell-blocks.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-readme-commands-'));
const work = path.join(tmp, 'work');
const PKI = path.join(REPO, 'fixtures/interop/oms-python/keys/certificate');
let registry: RunningRegistry;
let stack: SigstoreStack;

beforeAll(async () => {
  [registry, stack] = await Promise.all([startRegistry(), startSigstoreStack()]);
  mkdirSync(work);
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), path.join(work, 'my-model'), { recursive: true });
  cpSync(path.join(REPO, 'fixtures/interop/oms-python/v1.1.0-certificate'), path.join(work, 'model'), {
    recursive: true,
  });
  cpSync(path.join(PKI, 'ca-cert.pem'), path.join(work, 'ca-cert.pem'));
  cpSync(path.join(PKI, 'signing-key.pem'), path.join(work, 'leaf.key'));
  cpSync(path.join(PKI, 'signing-key-cert.pem'), path.join(work, 'leaf.pem'));
  cpSync(path.join(PKI, 'int-ca-cert.pem'), path.join(work, 'intermediate.pem'));
  cpSync(path.join(PKI, 'ca-cert.pem'), path.join(work, 'root-ca.pem'));
}, 60_000);
afterAll(async () => {
  await Promise.all([registry?.close(), stack?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

/** What the test replaces in README's commands, and why. */
const REPLACEMENTS: { from: RegExp; to: () => string; why: string }[] = [
  {
    from: /127\.0\.0\.1:5000/g,
    to: () => registry.host,
    why: 'the test starts its own docker-registry on a random port',
  },
  {
    from: /^modelseal sign \.\/my-model --overwrite$/m,
    to: () =>
      `modelseal sign ./my-model --overwrite --signing-config ${stack.signingConfigPath} --trusted-root ${stack.trustedRootPath}`,
    why: 'keyless signing goes to the local Sigstore stack, not public-good',
  },
  {
    from: /^modelseal verify \.\/my-model \\$/m,
    to: () => `modelseal verify ./my-model --trusted-root ${stack.trustedRootPath} \\`,
    why: 'keyless verification trusts the local Sigstore stack, not public-good',
  },
  {
    from: / \/models\/m(?=\s|$)/g,
    to: () => ` ${path.join(tmp, 'models/m')}`,
    why: 'the init container path /models/m is a directory of the test',
  },
  {
    from: /^(modelseal watch .*)$/m,
    to: () => '$1 --once',
    why: 'watch runs until stopped; the test checks once',
  },
];

const ROOT = 'sha256:143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7';
const REF = 'HOST/models/my-model:v1';
/** What the block prints, in order (`…` matches anything; HOST is the test's registry). */
const EXPECTED = [
  'wrote mykey.key (encrypted) and mykey.pub',
  ROOT,
  // hash --method shards --json: one shard per small file, so the same root
  `"root": "${ROOT.slice('sha256:'.length)}",`,
  '"method": "shards",',
  `verified ./my-model: ${ROOT}, 10 files, signed by key …`,
  `verified ./my-model: ${ROOT}, 10 files, signed by certificate CN=intermediate-ca (issuer CN=intermediate-ca)`,
  'modelseal: signing keylessly as repo:acme/train:ref:refs/heads/main (issuer https://token.actions.githubusercontent.com), token from SIGSTORE_ID_TOKEN',
  `verified ./my-model: ${ROOT}, 10 files, signed by https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main (issuer https://token.actions.githubusercontent.com)`,
  "modelseal: warning: 'ignore-me' exists in ./model but no signature covers it (verify ignores it)",
  'verified ./model: sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226, 2 files, signed by certificate …',
  'oci:./layout:v1@sha256:…',
  `${REF}@sha256:…`,
  `dev.modelseal.oms.root: ${ROOT}`,
  'pulled 10 files (234 B, modelpack) into ./deployed-model in … s',
  'copied 11 blobs (1.0 KiB), skipped 0, 0 referrers',
  'signed sha256:… (key): OMS sha256:…, cosign sha256:…',
  `attested https://slsa.dev/provenance/v1 about ${REF}@sha256:… (key) -> referrer sha256:…`,
  `verified ${REF}@sha256:…: oms + cosign signature, signed by key …`,
  `verified https://slsa.dev/provenance/v1 about ${REF} (sha256:…), signed by key …`,
  'pulled 10 files (234 B, modelpack) into ./verified-model in … s',
  'policy model-release (sha256:…): allowed',
  'pulled 10 files (234 B, modelpack) into …/models/m with model.sig, signed by key …',
  '…/models/m: 10 files scanned, 0 flagged, 0 findings',
];
const withHost = (line: string) => line.replaceAll('HOST', registry.host);

/** Runs `script` in bash in the working directory; the Sigstore stack serves from this process. */
function bash(script: string, env: Record<string, string>) {
  return new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', `exec 2>&1\n${script}`], { cwd: work, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

describe('README.md', () => {
  const blocks = shellBlocks(readFileSync(path.join(REPO, 'README.md'), 'utf8'));
  const run = blocks.filter((b) => b.skip === undefined);

  it('runs the "Using the CLI" block, and every block it skips says why', () => {
    expect(blocks.filter((b) => b.skip !== undefined).map((b) => b.skip)).toEqual([
      'the quickstart installs pnpm globally; `.ci/run` runs `pnpm quickstart` on a clean clone',
      'the whole suite, of which this test is a part; `.ci/run` runs it and the linters',
      'not published to npm yet; `scripts/pack-smoke.sh` installs the packed tarballs the same way',
      'benchmarks take minutes of CPU and print ratios; they are not tests',
    ]);
    expect(run.map((b) => b.script.split('\n')[0])).toEqual([
      '# keys (cosign-compatible: mykey.key is encrypted with COSIGN_PASSWORD, mykey.pub is SPKI PEM)',
    ]);
  });

  it('every command of "Using the CLI" runs against a real registry and the local Sigstore stack', async () => {
    const bin = cliBinDir(tmp);
    const env = docsEnv();
    const home = mkdtempSync(path.join(tmp, 'home-'));
    const token = stack.githubToken({
      sub: 'repo:acme/train:ref:refs/heads/main',
      repository: 'acme/train',
      repository_owner: 'acme',
      workflow_ref: 'acme/train/.github/workflows/train.yml@refs/heads/main',
      job_workflow_ref: 'acme/train/.github/workflows/train.yml@refs/heads/main',
    });
    let script = run.map((b) => b.script).join('\n');
    for (const r of REPLACEMENTS) {
      const before = script;
      script = script.replace(r.from, r.to());
      expect(script, `replacement for "${r.why}" matched nothing`).not.toBe(before);
    }
    const res = await bash(script, {
      ...env,
      HOME: home,
      TMPDIR: tmp,
      PATH: `${bin}:${env.PATH}`,
      // the README's `COSIGN_PASSWORD=...`: keygen and every --key command read the same password
      COSIGN_PASSWORD: '...',
      SIGSTORE_ID_TOKEN: token,
    });
    expect(res.status, `README.md "Using the CLI" failed:\n${res.output}`).toBe(0);
    expect(missingLines(EXPECTED.map(withHost), res.output), res.output).toEqual([]);
    // what the commands leave behind: the policy-pulled model with its signature, both OCI layouts
    expect(readFileSync(path.join(tmp, 'models/m/model.sig'), 'utf8')).toMatch(
      /^\{"mediaType":"application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json"/,
    );
    for (const layout of ['layout', 'mirror'])
      expect(JSON.parse(readFileSync(path.join(work, layout, 'oci-layout'), 'utf8'))).toEqual({
        imageLayoutVersion: '1.0.0',
      });
  }, 300_000);
});
