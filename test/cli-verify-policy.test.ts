// `modelseal verify DIR --policy FILE` (the CLI run in this process: ./cli-in-process.ts): a key-signed model with signed SLSA
// provenance and CycloneDX attestations (made in the test), evaluated against policy files.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashModel, keySigner, keyVerifier } from '../packages/core/src/index.js';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import {
  parseBundle,
  serializeBundle,
  IN_TOTO_PAYLOAD_TYPE,
  OMS_PREDICATE_TYPE,
} from '../packages/core/src/oms.js';
import { cyclonedx, provenance, statement, type ProvenanceFacts } from './policy/signed-evidence.js';
import { attachBundle } from '../packages/core/src/attest/index.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { keyPolicyYaml } from './policy/key-policy.js';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cli-vpolicy-'));
const trainer = newKeyPair();
const stranger = newKeyPair();
const keyFile = (name: string, pair: typeof trainer) => {
  const f = path.join(tmp, name);
  writeFileSync(f, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return f;
};
let model: string;
let root: string;

/** Attaches a bundle to `ref` as a referrer with core's attachBundle (what sign REF / attest REF use). */
async function attachReferrer(ref: string, bundle: Buffer, predicateType: string): Promise<void> {
  const { target, selector } = openTarget(ref);
  await attachBundle(target, await target.resolve(selector), bundle, predicateType);
}

/** The CLI, run in this process (./cli-in-process.ts); `status` as spawnSync names the exit code. */
const modelseal = async (...args: string[]) => {
  const r = await runCliInProcess(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

const policyFile = (name: string, opts: { mode?: string; weights?: string; cosign?: boolean } = {}) => {
  const f = path.join(tmp, name);
  writeFileSync(
    f,
    keyPolicyYaml({
      name: name.replace('.yaml', ''),
      publicKeyPem: publicKeyPem(trainer.publicKey),
      ...opts,
      provenance: { builderRegExp: 'https://github\\.com/acme/ml-platform/.*', maxLevel: 3 },
      sbom: { licensesDeny: ['AGPL-3.0-only'] },
    }),
  );
  return f;
};

async function attestation(name: string, predicateType: string, predicate: unknown, pair = trainer) {
  const bundle = await keySigner({ privateKey: pair.privateKey }).signStatement(
    Buffer.from(JSON.stringify(statement(predicateType, predicate, `sha256:${root}`))),
    IN_TOTO_PAYLOAD_TYPE,
  );
  const f = path.join(tmp, name);
  writeFileSync(f, serializeBundle(bundle));
  return f;
}
const prov = (facts: ProvenanceFacts = {}, pair = trainer) =>
  attestation(`prov-${Math.random()}.json`, 'https://slsa.dev/provenance/v1', provenance(facts), pair);
const sbom = (bom: Parameters<typeof cyclonedx>[0] = {}) =>
  attestation(`sbom-${Math.random()}.json`, 'https://cyclonedx.org/bom', cyclonedx(bom));

beforeAll(async () => {
  if (!existsSync(BIN)) spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo });
  model = path.join(tmp, 'sample-model');
  cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
  const s = await modelseal('sign', model, '--key', keyFile('trainer.pem', trainer));
  if (s.status !== 0) throw new Error(s.stderr);
  root = (await hashModel(model, { signaturePath: path.join(model, 'model.sig') })).root;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('modelseal verify --policy', () => {
  it('allowed: exit 0, every check in the JSON, the result file and a signed VSA', async () => {
    const result = path.join(tmp, 'result.json');
    const vsa = path.join(tmp, 'vsa.json');
    const policy = policyFile('prod.yaml');
    const r = await modelseal(
      'verify',
      model,
      '--policy',
      policy,
      '--attestation',
      await prov(),
      '--attestation',
      await sbom(),
      '--json',
      '--result',
      result,
      '--vsa',
      vsa,
      '--vsa-key',
      keyFile('vsa.pem', trainer),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      allowed: true,
      enforced: true,
      slsaBuildLevel: 3,
      policy: { name: 'prod', mode: 'enforce' },
    });
    expect(out.checks.map((c: { name: string; passed: boolean }) => [c.name, c.passed])).toEqual([
      ['signatures.oms', true],
      ['provenance.signer', true],
      ['provenance.builder', true],
      ['sbom.signer', true],
      ['sbom.licenses', true],
    ]);
    expect(JSON.parse(readFileSync(result, 'utf8'))).toEqual(out);
    // The VSA verifies with the signer's key and names the policy by the sha256 of its bytes.
    const verified = await keyVerifier({ publicKey: trainer.publicKey }).verify(
      parseBundle(readFileSync(vsa), vsa),
    );
    const st = JSON.parse(verified.payload.toString());
    const policySha = spawnSync('sha256sum', [policy], { encoding: 'utf8' }).stdout.split(' ')[0];
    expect(st.predicateType).toBe('https://slsa.dev/verification_summary/v1');
    expect(st.subject).toEqual([{ name: model, digest: { sha256: root } }]);
    expect(st.predicate).toMatchObject({
      policy: { digest: { sha256: policySha } },
      verificationResult: 'PASSED',
      verifiedLevels: ['SLSA_BUILD_LEVEL_3'],
      resourceUri: model,
    });
  });

  const denied = (r: Awaited<ReturnType<typeof modelseal>>, code: string, message: string) => {
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`modelseal: error[${code}]: ${message}\n`);
  };

  it('an unsigned model: SIGNATURE_MISSING', async () => {
    const unsigned = path.join(tmp, 'unsigned');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), unsigned, { recursive: true });
    const r = await modelseal(
      'verify',
      unsigned,
      '--policy',
      policyFile('p.yaml'),
      '--attestation',
      await prov(),
      '--attestation',
      await sbom(),
    );
    denied(r, 'SIGNATURE_MISSING', 'policy p: signatures.oms: no verified OMS signature');
    expect(r.stdout).toMatch(/^FAIL signatures\.oms: no verified OMS signature$/m);
  });

  it('a model signed by another key: WRONG_KEY', async () => {
    const other = path.join(tmp, 'other');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), other, { recursive: true });
    expect((await modelseal('sign', other, '--key', keyFile('stranger.pem', stranger))).status).toBe(0);
    const r = await modelseal(
      'verify',
      other,
      '--policy',
      policyFile('p.yaml'),
      '--attestation',
      await prov(),
      '--attestation',
      await sbom(),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^modelseal: error\[WRONG_KEY\]: policy p: signatures\.oms: .*signed by a different key/,
    );
  });

  it('a provenance from a builder the policy does not allow: PROVENANCE_REJECTED', async () => {
    const r = await modelseal(
      'verify',
      model,
      '--policy',
      policyFile('p.yaml'),
      '--attestation',
      await prov({ builderId: 'https://evil.example/builder' }),
      '--attestation',
      await sbom(),
    );
    denied(
      r,
      'PROVENANCE_REJECTED',
      'policy p: provenance.builder: builder "https://evil.example/builder" is not one of /^(?:https:\\/\\/github\\.com\\/acme\\/ml-platform\\/.*)$/',
    );
  });

  it('an attestation signed by another key: the bundle fails and names why', async () => {
    const r = await modelseal(
      'verify',
      model,
      '--policy',
      policyFile('p.yaml'),
      '--attestation',
      await prov({}, stranger),
      '--attestation',
      await sbom(),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^modelseal: error\[WRONG_KEY\]: policy p: provenance\.signer: .*signed by a different key/,
    );
  });

  it('an SBOM licence on the deny-list: LICENSE_DENIED', async () => {
    const r = await modelseal(
      'verify',
      model,
      '--policy',
      policyFile('p.yaml'),
      '--attestation',
      await prov(),
      '--attestation',
      await sbom({ modelLicenses: [{ license: { id: 'AGPL-3.0-only' } }] }),
    );
    denied(
      r,
      'LICENSE_DENIED',
      'policy p: sbom.licenses: sentiment (machine-learning-model): "AGPL-3.0-only" needs AGPL-3.0-only, which the policy denies',
    );
  });

  it('a tampered file fails signatures.oms with TAMPERED_FILE', async () => {
    const t = path.join(tmp, 'tampered');
    cpSync(model, t, { recursive: true });
    writeFileSync(path.join(t, 'f1'), 'changed');
    const r = await modelseal(
      'verify',
      t,
      '--policy',
      policyFile('p.yaml'),
      '--attestation',
      await prov(),
      '--attestation',
      await sbom(),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^modelseal: error\[TAMPERED_FILE\]: policy p: signatures\.oms: /);
  });

  it('weights: a pickle that imports os.system fails the scan (SCAN_FAILED), and pickle is not an allowed format', async () => {
    const clean = await modelseal(
      'verify',
      model,
      '--policy',
      policyFile('w.yaml', { weights: '{formats: [safetensors], scan: clean}' }),
      '--attestation',
      await prov(),
      '--attestation',
      await sbom(),
      '--json',
    );
    expect(clean.status).toBe(0);
    const checks = JSON.parse(clean.stdout).checks.slice(-2);
    expect(checks).toEqual([
      { name: 'weights.formats', passed: true, reason: '0 weight file(s) in safetensors' },
      { name: 'weights.scan', passed: true, reason: 'the scan found nothing dangerous' },
    ]);
    const hostile = path.join(tmp, 'hostile');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), hostile, { recursive: true });
    // Made by python3's pickle.dumps, never loaded: an object whose __reduce__ calls os.system.
    const py =
      'import os, pickle, sys\nclass E:\n    def __reduce__(self):\n        return (os.system, ("id",))\nsys.stdout.buffer.write(pickle.dumps(E(), protocol=2))';
    writeFileSync(path.join(hostile, 'model.pkl'), spawnSync('python3', ['-c', py]).stdout);
    expect((await modelseal('sign', hostile, '--key', keyFile('trainer2.pem', trainer))).status).toBe(0);
    const hostileRoot = (await hashModel(hostile, { signaturePath: path.join(hostile, 'model.sig') })).root;
    const saved = root;
    root = hostileRoot;
    const atts = ['--attestation', await prov(), '--attestation', await sbom()];
    root = saved;
    const scanOnly = await modelseal(
      'verify',
      hostile,
      '--policy',
      policyFile('s.yaml', { weights: '{scan: clean}' }),
      ...atts,
    );
    expect(scanOnly.status).toBe(1);
    expect(scanOnly.stderr).toMatch(
      /^modelseal: error\[SCAN_FAILED\]: policy s: weights\.scan: .*model\.pkl.*(posix|os)\.system/,
    );
    const formats = await modelseal(
      'verify',
      hostile,
      '--policy',
      policyFile('w.yaml', { weights: '{formats: [safetensors], scan: clean}' }),
      ...atts,
    );
    expect(formats.status).toBe(1);
    expect(formats.stderr).toBe(
      'modelseal: error[WEIGHT_FORMAT_DENIED]: policy w: weights.formats: model.pkl is pickle, not one of safetensors (1 more failed check(s))\n',
    );
  });

  it('audit mode: failures reported, exit 0, "enforced": false', async () => {
    const r = await modelseal(
      'verify',
      model,
      '--policy',
      policyFile('a.yaml', { mode: 'audit' }),
      '--attestation',
      await prov(),
      '--json',
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ allowed: false, enforced: false });
    expect(
      out.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { code: string }) => c.code),
    ).toEqual(['ATTESTATION_MISSING']);
  });

  it('a policy that does not load: exit 2 POLICY_INVALID', async () => {
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: modelseal.dev/v1alpha1\nkind: ModelPolicy\n');
    const r = await modelseal('verify', model, '--policy', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[POLICY_INVALID]: ${bad} (2 problems): line 1, column 1: metadata: required field is missing; line 1, column 1: spec: required field is missing\n`,
    );
  });

  it('a model path that does not exist is NOT_FOUND (exit 2), as for --key, never a registry lookup', async () => {
    const policy = policyFile('prod.yaml');
    const expected =
      'modelseal: error[NOT_FOUND]: ./no-such-model does not exist (and is not an artifact reference: write host[:port]/repository[:tag] or oci:PATH[:tag])\n';
    const r = await modelseal('verify', './no-such-model', '--policy', policy);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(expected);
    const s = await modelseal('scan', './no-such-model');
    expect(s.status).toBe(2);
    expect(s.stderr).toBe(expected);
  });
});

describe('modelseal verify REF --policy (an OCI artifact, weights not downloaded)', () => {
  it('allowed from its referrers; a signature of other files is TAMPERED_FILE', async () => {
    const layout = path.join(tmp, 'layout');
    const ref = `oci:${layout}:v1`;
    const push = await modelseal('push', model, ref, '--json');
    expect(push.status).toBe(0);
    const digest = JSON.parse(push.stdout).digest as string;
    const trainerKey = keyFile('trainer-ref.pem', trainer);
    // attest REF: the real CLI signs each predicate about the manifest digest and OMS root
    const attestRef = async (type: string, predicate: unknown) => {
      const f = path.join(tmp, `predicate-${type}.json`);
      writeFileSync(f, JSON.stringify(predicate));
      const a = await modelseal(
        'attest',
        ref,
        '--predicate',
        f,
        '--type',
        type,
        '--key',
        trainerKey,
        '--json',
      );
      expect(a.status, a.stderr).toBe(0);
      expect(JSON.parse(a.stdout)).toMatchObject({ attested: true, digest });
    };
    // the trainer's `sign DIR` bundle attached as the OMS referrer (no cosign signature yet)
    await attachReferrer(ref, readFileSync(path.join(model, 'model.sig')), OMS_PREDICATE_TYPE);
    await attestRef('slsaprovenance1', provenance());
    await attestRef('cyclonedx', cyclonedx());
    const r = await modelseal('verify', ref, '--policy', policyFile('ref.yaml'), '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(
      JSON.parse(r.stdout).checks.map((c: { name: string; passed: boolean }) => `${c.name}:${c.passed}`),
    ).toEqual([
      'signatures.oms:true',
      'provenance.signer:true',
      'provenance.builder:true',
      'sbom.signer:true',
      'sbom.licenses:true',
    ]);

    // cosign's own signature (a DSSE statement about the manifest digest, predicateType cosign/sign/v1).
    const cosignPolicy = policyFile('cosign.yaml', { cosign: true });
    const unsignedCosign = await modelseal('verify', ref, '--policy', cosignPolicy);
    expect(unsignedCosign.status).toBe(1);
    expect(unsignedCosign.stderr).toBe(
      'modelseal: error[SIGNATURE_MISSING]: policy cosign: signatures.cosign: no verified cosign signature\n',
    );
    const signed = await modelseal('sign', ref, '--key', trainerKey, '--json');
    expect(signed.status, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ signed: true, digest });
    const cosigned = await modelseal('verify', ref, '--policy', cosignPolicy, '--json');
    expect(cosigned.status).toBe(0);
    expect(JSON.parse(cosigned.stdout).checks[1]).toMatchObject({ name: 'signatures.cosign', passed: true });

    // Another artifact (f1 changed) whose OMS referrer is the trainer's valid signature of the original files.
    const other = path.join(tmp, 'other-files');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), other, { recursive: true });
    writeFileSync(path.join(other, 'f1'), 'other bytes');
    const ref2 = `oci:${layout}:v2`;
    const push2 = await modelseal('push', other, ref2, '--json');
    expect(push2.status).toBe(0);
    expect(JSON.parse(push2.stdout).digest).not.toBe(digest);
    await attachReferrer(ref2, readFileSync(path.join(model, 'model.sig')), OMS_PREDICATE_TYPE);
    const bad = await modelseal('verify', ref2, '--policy', policyFile('ref.yaml'));
    expect(bad.status).toBe(1);
    // bound to nothing: the trainer's signature is about other files (issue 19: one binding rule)
    expect(bad.stderr).toMatch(
      /^modelseal: error\[TAMPERED_FILE\]: policy ref: signatures\.oms: .*: the OMS signature is not about the files of oci:.*:v2: model file 'f1' does not match the signature \(expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}\) \(2 more failed check\(s\)\)\n$/,
    );
  });
});

describe('verify DIR --policy with what modelseal provenance / sbom / attest write', () => {
  it('finds MODEL.<type>.sigstore.json beside the model without --attestation', async () => {
    const m = path.join(tmp, 'attested');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), m, { recursive: true });
    const key = keyFile('attest.pem', trainer);
    expect((await modelseal('sign', m, '--key', key)).status).toBe(0);
    const prov = path.join(tmp, 'attested-prov.json');
    const bom = path.join(tmp, 'attested-bom.json');
    const p = await modelseal(
      'provenance',
      m,
      '--output',
      prov,
      '--no-source',
      '--builder-id',
      'https://github.com/acme/ml-platform/train@v1',
    );
    expect(p.status, p.stderr).toBe(0);
    expect((await modelseal('sbom', m, '--output', bom)).status).toBe(0);
    for (const [file, type] of [
      [prov, 'slsaprovenance1'],
      [bom, 'cyclonedx'],
    ]) {
      const a = await modelseal('attest', m, '--predicate', file, '--type', type, '--key', key);
      expect(a.status, a.stderr).toBe(0);
    }
    const policy = policyFile('made.yaml').replace('.yaml', '-u.yaml');
    writeFileSync(
      policy,
      readFileSync(policyFile('made.yaml'), 'utf8').replace(
        'licenses: {deny: [AGPL-3.0-only]}',
        'licenses: {deny: [AGPL-3.0-only], unknown: allow}',
      ),
    );
    const r = await modelseal('verify', m, '--policy', policy, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(
      JSON.parse(r.stdout).checks.map((c: { name: string; passed: boolean }) => `${c.name}:${c.passed}`),
    ).toEqual([
      'signatures.oms:true',
      'provenance.signer:true',
      'provenance.builder:true',
      'sbom.signer:true',
      'sbom.licenses:true',
    ]);
  });
});
