// Issue 19: the VSA is what downstream systems trust instead of verifying again, so it must name
// only what the policy's evidence was bound to — the artifact's manifest digest and the OMS root of a
// bound signature — and the policy's digest. Attack: with push access only, append another model's
// (C's) OMS signature and provenance to A's referrers; C's root must not appear in A's VSA. And a
// model without an OMS signature gets no OMS root in its VSA (nothing vouched for those files).
// Real docker-registry, real keys, the CLI (verify REF --policy and pull --policy).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { cyclonedx, provenance } from './policy/signed-evidence.js';
import {
  attachBundle,
  bundleReferrers,
  buildInTotoStatement,
  COSIGN_SIGN_V1,
} from '../packages/core/src/attest/index.js';
import { attest, hashModel, keySigner, keyVerifier, pushModel } from '../packages/core/src/index.js';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  OMS_PREDICATE_TYPE,
  parseBundle,
  serializeBundle,
} from '../packages/core/src/oms.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { sign } from '../packages/core/src/sign/sign.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const SAMPLE = path.join(repo, 'fixtures/models/sample-model');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-vsa-'));
const trainer = newKeyPair();
const vsaSigner = newKeyPair();
const SLSA = 'https://slsa.dev/provenance/v1';
const GOOD_BUILDER = 'https://github.com/acme/ml-platform/.github/workflows/train.yml@refs/tags/v1';
const identities = `  identities:
    trainer:
      key:
        publicKey: |
          ${publicKeyPem(trainer.publicKey).trim().split('\n').join('\n          ')}
`;
const PROVENANCE_RULE = `    provenance:
      signedBy: [trainer]
      builders: [{idRegExp: 'https://github\\.com/acme/ml-platform/.*', maxLevel: 3}]
`;
const SIGNED_POLICY = `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: prod}
spec:
${identities}  require:
    signatures:
      oms: {signedBy: [trainer]}
${PROVENANCE_RULE}`;
const COSIGN_ONLY = `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: cosign-only}
spec:
${identities}  require:
    signatures:
      cosign: {signedBy: [trainer]}
${PROVENANCE_RULE}`;

let registry: RunningRegistry;
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const file = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

interface Published {
  ref: string;
  manifestHex: string;
  rootHex: string;
}
async function published(name: string, o: { sign: boolean }): Promise<Published> {
  const dir = path.join(tmp, name);
  cpSync(SAMPLE, dir, { recursive: true });
  writeFileSync(path.join(dir, 'id.txt'), `${name}\n`);
  const ref = `${registry.host}/models/${name}:v1`;
  await pushModel(dir, ref);
  const signer = keySigner({ privateKey: trainer.privateKey });
  if (o.sign) await sign(ref, { signer });
  await attest(ref, {
    signer,
    predicateType: SLSA,
    predicate: provenance({ builderId: GOOD_BUILDER }),
  });
  await attest(ref, { signer, predicateType: 'https://cyclonedx.org/bom', predicate: cyclonedx() });
  const { target, selector } = openTarget(ref);
  const subject = await target.resolve(selector);
  const manifestHex = subject.digest.slice('sha256:'.length);
  if (!o.sign) {
    // only a cosign signature of the manifest digest: nothing vouches for an OMS root
    const statement = buildInTotoStatement([{ digest: { sha256: manifestHex } }], COSIGN_SIGN_V1, {});
    const bundle = await signer.signStatement(statement, IN_TOTO_PAYLOAD_TYPE);
    await attachBundle(target, subject, serializeBundle(bundle), COSIGN_SIGN_V1);
  }
  return { ref, manifestHex, rootHex: (await hashModel(dir)).root };
}

/** The attacker's move: C's OMS signature and provenance attached to A (push access only). */
async function borrow(from: string, to: string) {
  const src = openTarget(from);
  const dst = openTarget(to);
  const subject = await dst.target.resolve(dst.selector);
  for (const b of (await bundleReferrers(src.target, await src.target.resolve(src.selector))).bundles)
    if (b.predicateType === OMS_PREDICATE_TYPE || b.predicateType === SLSA)
      await attachBundle(dst.target, subject, b.bytes, b.predicateType);
}

/** The VSA's subject digests and policy digest, after checking its signature. */
async function readVsa(f: string) {
  const v = await keyVerifier({ publicKey: vsaSigner.publicKey }).verify(parseBundle(readFileSync(f), f));
  const st = JSON.parse(v.payload.toString()) as {
    subject: { digest: { sha256: string } }[];
    predicate: { policy: { digest: { sha256: string } }; verificationResult: string; resourceUri: string };
  };
  return {
    subjects: st.subject.map((s) => s.digest.sha256),
    policy: st.predicate.policy.digest.sha256,
    result: st.predicate.verificationResult,
    resourceUri: st.predicate.resourceUri,
  };
}

let a: Published;
let c: Published;
let unsigned: Published;
let vsaKey: string;

beforeAll(async () => {
  if (!existsSync(BIN)) spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo });
  registry = await startRegistry();
  vsaKey = file('vsa.pem', vsaSigner.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  a = await published('model-a', { sign: true });
  c = await published('model-c', { sign: true });
  unsigned = await published('model-u', { sign: false });
  await borrow(c.ref, a.ref);
});
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the VSA names only bound digests and the policy digest', () => {
  it('verify REF --policy --vsa: A’s manifest digest and A’s root, never the borrowed C root', async () => {
    const policy = file('prod.yaml', SIGNED_POLICY);
    const vsa = path.join(tmp, 'verify-a.vsa.json');
    const r = cli('verify', a.ref, '--policy', policy, '--vsa', vsa, '--vsa-key', vsaKey);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = await readVsa(vsa);
    expect(got.subjects).toEqual([a.manifestHex, a.rootHex]);
    expect(got.subjects).not.toContain(c.rootHex);
    expect(got.subjects).not.toContain(c.manifestHex);
    expect(got.policy).toBe(sha256(policy));
    expect(got.result).toBe('PASSED');
    expect(got.resourceUri).toBe(`${a.ref}@sha256:${a.manifestHex}`);
  });

  it('pull --policy --vsa: the same two digests for what landed in DEST', async () => {
    const policy = file('prod.yaml', SIGNED_POLICY);
    const vsa = path.join(tmp, 'pull-a.vsa.json');
    const dest = path.join(tmp, 'dest-a');
    const r = cli('pull', a.ref, dest, '--policy', policy, '--vsa', vsa, '--vsa-key', vsaKey);
    expect(r.status).toBe(0);
    expect(readFileSync(path.join(dest, 'id.txt'), 'utf8')).toBe('model-a\n');
    const got = await readVsa(vsa);
    expect(got.subjects).toEqual([a.manifestHex, a.rootHex]);
    expect(got.policy).toBe(sha256(policy));
  });

  it('only a cosign signature: the VSA names the manifest digest only, not the root of the pulled files', async () => {
    const policy = file('cosign-only.yaml', COSIGN_ONLY);
    for (const how of ['verify', 'pull'] as const) {
      const vsa = path.join(tmp, `${how}-u.vsa.json`);
      const r =
        how === 'verify'
          ? cli('verify', unsigned.ref, '--policy', policy, '--vsa', vsa, '--vsa-key', vsaKey)
          : cli(
              'pull',
              unsigned.ref,
              path.join(tmp, 'dest-u'),
              '--policy',
              policy,
              '--vsa',
              vsa,
              '--vsa-key',
              vsaKey,
            );
      expect(r.stderr, how).not.toMatch(/error/);
      expect(r.status, how).toBe(0);
      const got = await readVsa(vsa);
      expect(got.subjects, how).toEqual([unsigned.manifestHex]);
      expect(got.policy, how).toBe(sha256(policy));
    }
  });
});
