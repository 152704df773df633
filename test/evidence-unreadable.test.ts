// Issue 19: anyone who can push to the registry can attach a referrer whose bundle is junk (not
// JSON, an empty object, an unknown bundle media type). Such a bundle is reported as unbound evidence
// with its code — in the policy result (--json, --result) and in inspect — and never stops a verdict
// that rests on the evidence that does parse; only when nothing acceptable remains is it the reason
// a check fails. Real docker-registry, real keys, the library and the CLI.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { cyclonedx, provenance } from './policy/signed-evidence.js';
import { attachBundle } from '../packages/core/src/attest/index.js';
import { attest, keySigner, pushModel } from '../packages/core/src/index.js';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import { BIN, REPO as repo, SAMPLE } from './signed-model.js';
import { keysPolicyYaml } from './policy/key-policy.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import {
  evaluateReferencePolicy,
  parsePolicy,
  policyVerifier,
  pullWithPolicy,
} from '../packages/core/src/policy/index.js';
import { runCliInProcess } from './cli-in-process.js';
import { sign } from '../packages/core/src/sign/sign.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-unreadable-'));
const trainer = newKeyPair();
const SLSA = 'https://slsa.dev/provenance/v1';
const OMS = 'https://model_signing/signature/v1.0';
const GOOD_BUILDER = 'https://github.com/acme/ml-platform/.github/workflows/train.yml@refs/tags/v1';
const POLICY = keysPolicyYaml(
  'prod',
  { trainer: trainer.publicKey },
  `    signatures:
      oms: {signedBy: [trainer]}
    provenance:
      signedBy: [trainer]
      builders: [{idRegExp: 'https://github\\.com/acme/ml-platform/.*', maxLevel: 3}]
`,
);
const policy = () => parsePolicy(POLICY, 'prod.yaml');
/** The CLI, run in this process (./cli-in-process.ts); `status` as spawnSync names the exit code. */
const cli = async (...args: string[]) => {
  const r = await runCliInProcess(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

/** The junk an attacker with push access attaches: [bytes, the predicateType annotation it claims]. */
const JUNK: [Buffer, string][] = [
  [Buffer.from('not json at all'), SLSA],
  [Buffer.from('{}'), OMS],
  [Buffer.from(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v9+json' })), OMS],
];

let registry: RunningRegistry;
let policyFile: string;
let good: string; // signed, with acceptable provenance, plus junk
let junkOnly: string; // nothing but junk

async function attachJunk(ref: string): Promise<void> {
  const { target, selector } = openTarget(ref);
  const subject = await target.resolve(selector);
  for (const [bytes, type] of JUNK) await attachBundle(target, subject, bytes, type);
}

async function published(name: string, signed: boolean): Promise<string> {
  const dir = path.join(tmp, name);
  cpSync(SAMPLE, dir, { recursive: true });
  writeFileSync(path.join(dir, 'id.txt'), `${name}\n`);
  const ref = `${registry.host}/models/${name}:v1`;
  await pushModel(dir, ref);
  if (signed) {
    const signer = keySigner({ privateKey: trainer.privateKey });
    await sign(ref, { signer });
    await attest(ref, {
      signer,
      predicateType: SLSA,
      predicate: provenance({ builderId: GOOD_BUILDER }),
    });
    await attest(ref, { signer, predicateType: 'https://cyclonedx.org/bom', predicate: cyclonedx() });
  }
  await attachJunk(ref);
  return ref;
}

beforeAll(async () => {
  if (!existsSync(BIN)) spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo });
  registry = await startRegistry();
  policyFile = path.join(tmp, 'prod.yaml');
  writeFileSync(policyFile, POLICY);
  good = await published('good', true);
  junkOnly = await published('junk-only', false);
});
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const unboundOf = (u: { source: string; kind: string; code: string }[] | undefined) =>
  (u ?? []).map((x) => [x.kind, x.code]).sort();

describe('junk bundle referrers', () => {
  it('library: the verdict rests on the bundles that parse; the junk is unbound with its code', async () => {
    const r = await evaluateReferencePolicy(good, policy(), { verifier: policyVerifier(policy().policy) });
    expect(r.result.allowed).toBe(true);
    expect(unboundOf(r.result.unbound)).toEqual([
      ['oms', 'UNSUPPORTED_MEDIA_TYPE'],
      ['oms', 'UNSUPPORTED_MEDIA_TYPE'],
      ['provenance', 'MALFORMED_BUNDLE'],
    ]);
    for (const u of r.result.unbound ?? []) {
      expect(u.source).toMatch(/models\/good:v1@sha256:[0-9a-f]{64}$/);
      expect(u.reason.startsWith(`${u.source}: `)).toBe(true);
      expect(u.signer).toBeUndefined();
    }
    const dest = path.join(tmp, 'dest-lib');
    const pulled = await pullWithPolicy(good, dest, { policy: policy() });
    expect(pulled.policy.allowed).toBe(true);
    expect(readFileSync(path.join(dest, 'id.txt'), 'utf8')).toBe('good\n');
  });

  it('CLI: verify REF --policy --json and pull --policy pass and list the junk; inspect shows it unreadable', async () => {
    const v = await cli('verify', good, '--policy', policyFile, '--json');
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    const out = JSON.parse(v.stdout) as {
      allowed: boolean;
      unbound: { kind: string; code: string; source: string }[];
    };
    expect(out.allowed).toBe(true);
    expect(unboundOf(out.unbound)).toEqual([
      ['oms', 'UNSUPPORTED_MEDIA_TYPE'],
      ['oms', 'UNSUPPORTED_MEDIA_TYPE'],
      ['provenance', 'MALFORMED_BUNDLE'],
    ]);
    const dest = path.join(tmp, 'dest-cli');
    const p = await cli('pull', good, dest, '--policy', policyFile, '--json');
    expect(p.status).toBe(0);
    expect(unboundOf((JSON.parse(p.stdout) as { policy: { unbound: [] } }).policy.unbound)).toHaveLength(3);
    expect(existsSync(path.join(dest, 'model.sig'))).toBe(true);
    const key = path.join(tmp, 'trainer.pub');
    writeFileSync(key, publicKeyPem(trainer.publicKey));
    expect((await cli('verify', good, '--key', key)).status).toBe(0);
    const i = await cli('inspect', good, '--json');
    expect(i.status).toBe(0);
    const kinds = (
      JSON.parse(i.stdout) as { evidence: { kind: string; error?: { code: string } }[] }
    ).evidence
      .filter((e) => e.kind === 'unreadable')
      .map((e) => e.error?.code)
      .sort();
    expect(kinds).toEqual(['MALFORMED_BUNDLE', 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('nothing acceptable remains: the failed checks name the junk, exit 2, DEST absent', async () => {
    const v = await cli('verify', junkOnly, '--policy', policyFile, '--json');
    expect(v.status).toBe(2);
    const out = JSON.parse(v.stdout) as { allowed: boolean; checks: { name: string; code?: string }[] };
    expect(out.allowed).toBe(false);
    expect(out.checks.map((c) => [c.name, c.code])).toEqual([
      ['signatures.oms', 'UNSUPPORTED_MEDIA_TYPE'],
      ['provenance.signer', 'MALFORMED_BUNDLE'],
    ]);
    const dest = path.join(tmp, 'dest-junk');
    const p = await cli('pull', junkOnly, dest, '--policy', policyFile);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(
      /^modelseal: error\[UNSUPPORTED_MEDIA_TYPE\]: policy prod: signatures\.oms: .*models\/junk-only:v1@sha256:/,
    );
    expect(existsSync(dest)).toBe(false);
  });
});
