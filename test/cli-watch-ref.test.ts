// `modelseal watch DIR --ref REF` and `--policy FILE --ref REF` as real processes against a real
// docker-registry: the signed state comes from the artifact's OMS signature referrer (pushed with
// `push --sign`), the policy is evaluated on the artifact before the watch starts, and drift in the
// deployed copy is reported exactly as with a signature file.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { keyPolicyYaml } from './policy/key-policy.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const MODEL = path.join(repo, 'fixtures/models/hf-tiny-llama');
const KEY = path.join(repo, 'fixtures/keys/test.key');
const PUB = path.join(repo, 'fixtures/keys/test.pub');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-watch-ref-'));
const ENV = { ...process.env, COSIGN_PASSWORD: 'modelseal-test' };

function modelseal(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function policy(name: string, publicKeyFile: string, mode = 'enforce'): string {
  const f = path.join(tmp, `${name}.yaml`);
  writeFileSync(f, keyPolicyYaml({ name, publicKeyPem: readFileSync(publicKeyFile, 'utf8'), mode }));
  return f;
}

let registry: RunningRegistry;
let ref: string;
let deployed: string;
let otherPub: string;
beforeAll(async () => {
  registry = await startRegistry();
  ref = `${registry.host}/models/hf-tiny-llama:v1`;
  const push = await modelseal(['push', MODEL, ref, '--sign', '--key', KEY]);
  expect(push.code, push.stderr).toBe(0);
  const keygen = await modelseal(['keygen', '--output-prefix', 'other', '--no-encrypt']);
  expect(keygen.code, keygen.stderr).toBe(0);
  otherPub = path.join(tmp, 'other.pub');
}, 120_000);
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function freshDeploy(name: string): string {
  deployed = path.join(tmp, name);
  cpSync(MODEL, deployed, { recursive: true });
  return deployed;
}

describe('watch --ref', () => {
  it('takes the signed state from the artifact: exit 0 when the copy matches, JSON lines and exit 1 on drift', async () => {
    const dir = freshDeploy('deploy-ref');
    const clean = await modelseal(['watch', dir, '--ref', ref, '--key', PUB, '--once']);
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([0, '', '']);

    writeFileSync(path.join(dir, 'config.json'), '{"model_type": "evil"}\n');
    writeFileSync(path.join(dir, 'run.py'), 'import os\n');
    const drift = await modelseal(['watch', dir, '--ref', ref, '--key', PUB, '--once']);
    expect(drift.code, drift.stderr).toBe(1);
    const events = drift.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; change: string });
    expect(events.map((e) => [e.path, e.change]).sort()).toEqual([
      ['config.json', 'modified'],
      ['run.py', 'added'],
    ]);
  }, 60_000);

  it('a key that did not sign the artifact is refused before any check (exit 1, no JSON line)', async () => {
    const dir = freshDeploy('deploy-wrong-key');
    const r = await modelseal(['watch', dir, '--ref', ref, '--key', otherPub, '--once']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^modelseal: error\[WRONG_KEY\]: sha256:[0-9a-f]{64}: signed by a different key /,
    );
  }, 60_000);

  it('--signature and --ref together, or --policy without --ref, are usage errors (exit 2)', async () => {
    const dir = freshDeploy('deploy-usage');
    const both = await modelseal(['watch', dir, '--ref', ref, '--signature', 'x.sig', '--key', PUB]);
    expect([both.code, both.stderr]).toEqual([
      2,
      'modelseal: error[USAGE]: give either --signature FILE or --ref REF, not both\n',
    ]);
    const noRef = await modelseal(['watch', dir, '--policy', policy('p-usage', PUB), '--once']);
    expect([noRef.code, noRef.stderr]).toEqual([
      2,
      'modelseal: error[USAGE]: --policy needs --ref REF: the artifact the policy is evaluated on\n',
    ]);
  }, 60_000);
});

describe('watch --policy --ref', () => {
  it('evaluates the policy on the artifact, then watches the copy with the policy identities', async () => {
    const dir = freshDeploy('deploy-policy');
    const allowed = policy('trainer-policy', PUB);
    const clean = await modelseal(['watch', dir, '--policy', allowed, '--ref', ref, '--once']);
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([0, '', '']);
    rmSync(path.join(dir, 'generation_config.json'));
    const drift = await modelseal(['watch', dir, '--policy', allowed, '--ref', ref, '--once']);
    expect(drift.code, drift.stderr).toBe(1);
    expect(JSON.parse(drift.stdout.trim())).toMatchObject({
      path: 'generation_config.json',
      change: 'removed',
    });
  }, 60_000);

  it('a policy that denies the artifact stops the watch before it starts (exit 1, the failed check named)', async () => {
    const dir = freshDeploy('deploy-denied');
    const denied = await modelseal([
      'watch',
      dir,
      '--policy',
      policy('other-signer', otherPub),
      '--ref',
      ref,
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toBe('');
    expect(denied.stderr).toMatch(/^modelseal: error\[[A-Z_]+\]: policy other-signer: signatures\.oms: /);
  }, 60_000);

  it('in audit mode a denial is a warning, and the watch still holds the copy to the signed state', async () => {
    const dir = freshDeploy('deploy-audit');
    const audit = policy('audit-other', otherPub, 'audit');
    const r = await modelseal(['watch', dir, '--policy', audit, '--ref', ref, '--once']);
    expect(r.stderr).toContain(
      `modelseal: warning: policy audit-other denies ${ref} (audit mode: watching anyway)\n`,
    );
    // The policy's only identity did not sign the artifact, so no OMS signature verifies with it.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /\nmodelseal: error\[WRONG_KEY\]: sha256:[0-9a-f]{64}: signed by a different key /,
    );
  }, 60_000);

  it('identity flags next to --policy are a usage error', async () => {
    const dir = freshDeploy('deploy-policy-key');
    const r = await modelseal(['watch', dir, '--policy', policy('p2', PUB), '--ref', ref, '--key', PUB]);
    expect([r.code, r.stderr]).toEqual([
      2,
      'modelseal: error[USAGE]: --policy names who may sign: leave out --key, --certificate-chain and --certificate-identity\n',
    ]);
  }, 60_000);
});
