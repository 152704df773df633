// evaluatePolicy over evidence that was really signed and verified (ECDSA keys made in the test).
import { describe, expect, it } from 'vitest';
import { keySigner, keyVerifier } from '../index.js';
import { newKeyPair, publicKeyPem } from '../keys.js';
import {
  cyclonedx,
  MODEL_DIGEST,
  provenance,
  statement,
  verifiedAttestation,
  type ProvenanceFacts,
} from '../../../../test/policy/signed-evidence.js';
import { evaluatePolicy, policyFailure } from './evaluate-policy.js';
import type { AttestationEvidence, PolicyEvidence } from '../source/evidence.js';
import { parsePolicy } from './load-policy.js';

const trainer = newKeyPair();
const stranger = newKeyPair();
const indent = (pem: string, n: number) =>
  pem
    .trim()
    .split('\n')
    .join(`\n${' '.repeat(n)}`);

const policyText = (mode = 'enforce', extra = '') => `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: prod}
spec:
  mode: ${mode}
  identities:
    trainer:
      key:
        publicKey: |
          ${indent(publicKeyPem(trainer.publicKey), 10)}
  require:
    signatures:
      oms: {signedBy: [trainer]}
    provenance:
      signedBy: [trainer]
      builders:
        - idRegExp: 'https://github\\.com/acme/ml-platform/\\.github/workflows/train\\.yml@refs/tags/v.*'
          maxLevel: 3
      minLevel: 2
      buildTypes: [https://modelseal.dev/buildtypes/ml-training/v1]
      sources: [{repository: https://github.com/acme/train, refRegExp: 'refs/tags/v[0-9]+'}]
      dependencies:
        allow:
          - uriRegExp: 'git\\+https://github\\.com/acme/train@refs/tags/v[0-9]+'
          - uriRegExp: 's3://acme-data/.*'
          - {uri: 'hf://google-bert/bert-base-uncased', digest: {sha256: '${'ef'.repeat(32)}'}}
    sbom:
      signedBy: [trainer]
      licenses: {deny: [AGPL-3.0-only, CC-BY-NC-4.0]}
      modelCard: {require: [modelParameters.datasets, considerations.ethicalConsiderations]}
    weights:
      formats: [safetensors]
      scan: clean
${extra}`;

const sign = (
  pair: ReturnType<typeof newKeyPair>,
  predicateType: string,
  predicate: unknown,
  digest?: string,
) =>
  verifiedAttestation(
    statement(predicateType, predicate, digest),
    keySigner({ privateKey: pair.privateKey }),
    keyVerifier({ publicKey: pair.publicKey }),
  );

const SLSA = 'https://slsa.dev/provenance/v1';
const CDX = 'https://cyclonedx.org/bom';

async function evidence(
  o: {
    prov?: ProvenanceFacts;
    bom?: Parameters<typeof cyclonedx>[0];
    omsBy?: typeof trainer | null;
    attBy?: typeof trainer;
    digest?: string;
  } = {},
): Promise<PolicyEvidence> {
  const by = o.attBy ?? trainer;
  const attestations: AttestationEvidence[] = [
    await sign(by, SLSA, provenance(o.prov), o.digest),
    await sign(by, CDX, cyclonedx(o.bom), o.digest),
  ];
  const omsBy = o.omsBy === undefined ? trainer : o.omsBy;
  const oms = omsBy
    ? [
        {
          kind: 'oms' as const,
          signer: (await sign(omsBy, 'https://model_signing/signature/v1.0', {})).signer,
        },
      ]
    : [];
  return {
    subjectDigests: [MODEL_DIGEST],
    signatures: oms,
    attestations,
    files: [{ path: 'model.safetensors', format: 'safetensors' }],
    scan: { clean: true, findings: [] },
  };
}

const failed = (r: ReturnType<typeof evaluatePolicy>) =>
  r.checks.filter((c) => !c.passed).map((c) => [c.name, c.code, c.reason]);

describe('evaluatePolicy', () => {
  const policy = parsePolicy(policyText(), 'prod.yaml');

  it('a model with every required proof is allowed, and every check is named', async () => {
    const r = evaluatePolicy(policy, await evidence(), { now: new Date('2026-01-02T03:04:05Z') });
    expect(failed(r)).toEqual([]);
    expect(r).toMatchObject({
      allowed: true,
      enforced: true,
      slsaBuildLevel: 3,
      evaluatedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(r.policy).toEqual({ name: 'prod', digest: policy.digest, mode: 'enforce' });
    expect(r.checks.map((c) => c.name)).toEqual([
      'signatures.oms',
      'provenance.signer',
      'provenance.builder',
      'provenance.level',
      'provenance.buildType',
      'provenance.source',
      'provenance.dependencies',
      'sbom.signer',
      'sbom.licenses',
      'sbom.modelCard',
      'weights.formats',
      'weights.scan',
    ]);
    expect(policyFailure(r)).toBeUndefined();
  });

  it('an unsigned model fails signatures.oms with SIGNATURE_MISSING', async () => {
    const r = evaluatePolicy(policy, await evidence({ omsBy: null }));
    expect(failed(r)).toEqual([['signatures.oms', 'SIGNATURE_MISSING', 'no verified OMS signature']]);
    const e = policyFailure(r);
    expect(e?.code).toBe('SIGNATURE_MISSING');
    expect(e?.message).toBe('policy prod: signatures.oms: no verified OMS signature');
    expect(e?.kind).toBe('verification');
  });

  it('a signature by a key the policy does not name is IDENTITY_MISMATCH', async () => {
    const r = evaluatePolicy(policy, await evidence({ omsBy: stranger }));
    expect(failed(r)).toEqual([
      [
        'signatures.oms',
        'IDENTITY_MISMATCH',
        expect.stringMatching(/^signed by key sha256:[0-9a-f]{16}…, not by trainer$/),
      ],
    ]);
  });

  it('attestations signed by another key do not count', async () => {
    const r = evaluatePolicy(policy, await evidence({ attBy: stranger }));
    expect(failed(r).map((f) => f.slice(0, 2))).toEqual([
      ['provenance.signer', 'IDENTITY_MISMATCH'],
      ['sbom.signer', 'IDENTITY_MISMATCH'],
    ]);
    expect(r.slsaBuildLevel).toBe(0);
  });

  it('attestations about another artifact are SUBJECT_MISMATCH', async () => {
    const r = evaluatePolicy(policy, await evidence({ digest: `sha256:${'00'.repeat(32)}` }));
    expect(failed(r)[0]).toEqual([
      'provenance.signer',
      'SUBJECT_MISMATCH',
      `the attestation's subject (sha256:${'00'.repeat(32)}) is not this model (${MODEL_DIGEST})`,
    ]);
  });

  it('missing attestations are ATTESTATION_MISSING', async () => {
    const e = await evidence();
    const r = evaluatePolicy(policy, { ...e, attestations: [] });
    expect(failed(r).map((f) => f.slice(0, 2))).toEqual([
      ['provenance.signer', 'ATTESTATION_MISSING'],
      ['sbom.signer', 'ATTESTATION_MISSING'],
    ]);
  });

  it('a builder the policy does not allow is PROVENANCE_REJECTED; the regexp is anchored', async () => {
    const evil = 'https://github.com/acme/ml-platform/.github/workflows/train.yml@refs/tags/v1';
    const r = evaluatePolicy(policy, await evidence({ prov: { builderId: `${evil}/../../evil` } }));
    // The pattern ends in `v.*`, so any tag suffix is the policy author's choice; the prefix is anchored.
    expect(failed(r)).toEqual([]);
    const r2 = evaluatePolicy(policy, await evidence({ prov: { builderId: `https://evil.test/?${evil}` } }));
    expect(failed(r2)).toEqual([
      [
        'provenance.builder',
        'PROVENANCE_REJECTED',
        `builder "https://evil.test/?${evil}" is not one of /^(?:https:\\/\\/github\\.com\\/acme\\/ml-platform\\/\\.github\\/workflows\\/train\\.yml@refs\\/tags\\/v.*)$/`,
      ],
      ['provenance.level', 'PROVENANCE_REJECTED', 'SLSA build level 0 is below the required 2'],
    ]);
  });

  it('buildType, source and dependency rules', async () => {
    const bt = evaluatePolicy(policy, await evidence({ prov: { buildType: 'https://other.test/bt' } }));
    expect(failed(bt).map((f) => f[0])).toEqual(['provenance.buildType']);
    const src = evaluatePolicy(policy, await evidence({ prov: { ref: 'refs/heads/main' } }));
    expect(failed(src)).toEqual([
      [
        'provenance.source',
        'PROVENANCE_REJECTED',
        'source https://github.com/acme/train@refs/heads/main is not allowed',
      ],
      // the git+ source is a dependency too: the allow-list covers it (issue 19)
      [
        'provenance.dependencies',
        'PROVENANCE_REJECTED',
        'dependency git+https://github.com/acme/train@refs/heads/main is not in the allow-list',
      ],
    ]);
    const gitDep = evaluatePolicy(
      policy,
      await evidence({
        prov: {
          dependencies: [{ uri: 'git+https://github.com/evil/x@refs/tags/v1', digest: { gitCommit: 'aa' } }],
        },
      }),
    );
    expect(failed(gitDep)).toEqual([
      [
        'provenance.source',
        'PROVENANCE_REJECTED',
        'source https://github.com/evil/x@refs/tags/v1 is not allowed',
      ],
      [
        'provenance.dependencies',
        'PROVENANCE_REJECTED',
        'dependency git+https://github.com/evil/x@refs/tags/v1 is not in the allow-list',
      ],
    ]);
    const unlisted = evaluatePolicy(
      policy,
      await evidence({ prov: { dependencies: [{ uri: 's3://other/x', digest: { sha256: 'aa' } }] } }),
    );
    expect(failed(unlisted)).toEqual([
      ['provenance.dependencies', 'PROVENANCE_REJECTED', 'dependency s3://other/x is not in the allow-list'],
    ]);
    const base = 'hf://google-bert/bert-base-uncased';
    const wrongPin = evaluatePolicy(
      policy,
      await evidence({ prov: { dependencies: [{ uri: base, digest: { sha256: '11'.repeat(32) } }] } }),
    );
    expect(failed(wrongPin)[0][2]).toBe(
      `dependency ${base} has digest {"sha256":"${'11'.repeat(32)}"}, the policy pins sha256:${'ef'.repeat(32)}`,
    );
    const pinned = evaluatePolicy(
      policy,
      await evidence({ prov: { dependencies: [{ uri: base, digest: { sha256: 'ef'.repeat(32) } }] } }),
    );
    expect(failed(pinned)).toEqual([]);
  });

  it('licences: denied, OR with an allowed choice, AND with a denied one, unknown', async () => {
    const agpl = evaluatePolicy(
      policy,
      await evidence({ bom: { modelLicenses: [{ license: { id: 'AGPL-3.0-only' } }] } }),
    );
    expect(failed(agpl)).toEqual([
      [
        'sbom.licenses',
        'LICENSE_DENIED',
        'sentiment (machine-learning-model): "AGPL-3.0-only" needs AGPL-3.0-only, which the policy denies',
      ],
    ]);
    const or = evaluatePolicy(
      policy,
      await evidence({ bom: { datasetLicenses: [{ expression: 'CC-BY-NC-4.0 OR MIT' }] } }),
    );
    expect(failed(or)).toEqual([]);
    const and = evaluatePolicy(
      policy,
      await evidence({ bom: { datasetLicenses: [{ expression: 'CC-BY-NC-4.0 AND MIT' }] } }),
    );
    expect(failed(and)[0][2]).toBe(
      'imdb (data): "(CC-BY-NC-4.0 AND MIT)" needs CC-BY-NC-4.0, which the policy denies',
    );
    const named = evaluatePolicy(
      policy,
      await evidence({ bom: { datasetLicenses: [{ license: { name: 'Research only' } }] } }),
    );
    expect(failed(named)[0][2]).toBe('imdb (data) has no SPDX licence (licenses.unknown: deny)');
  });

  it('an allow-list admits only expressions it satisfies', async () => {
    const p = parsePolicy(
      policyText().replace(
        'licenses: {deny: [AGPL-3.0-only, CC-BY-NC-4.0]}',
        'licenses: {allow: [Apache-2.0, MIT]}',
      ),
    );
    expect(failed(evaluatePolicy(p, await evidence()))).toEqual([]);
    const r = evaluatePolicy(p, await evidence({ bom: { datasetLicenses: [{ expression: 'CC-BY-4.0' }] } }));
    expect(failed(r)[0][2]).toBe('imdb (data): "(CC-BY-4.0)" is not satisfied by the allowed licences');
  });

  it('a model card without the required fields is MODEL_CARD_INCOMPLETE', async () => {
    const r = evaluatePolicy(
      policy,
      await evidence({ bom: { modelCard: { modelParameters: { datasets: [] } } } }),
    );
    expect(failed(r)).toEqual([
      [
        'sbom.modelCard',
        'MODEL_CARD_INCOMPLETE',
        'model card lacks modelParameters.datasets, considerations.ethicalConsiderations',
      ],
    ]);
  });

  it('weight formats and the scan', async () => {
    const e = await evidence();
    const pickle = evaluatePolicy(policy, {
      ...e,
      files: [...(e.files ?? []), { path: 'extra.bin', format: 'pickle' }],
    });
    expect(failed(pickle)).toEqual([
      ['weights.formats', 'WEIGHT_FORMAT_DENIED', 'extra.bin is pickle, not one of safetensors'],
    ]);
    const dirty = evaluatePolicy(policy, {
      ...e,
      scan: { clean: false, findings: [{ path: 'a.pkl', message: 'imports os.system' }] },
    });
    expect(failed(dirty)).toEqual([['weights.scan', 'SCAN_FAILED', 'a.pkl: imports os.system']]);
    const none = evaluatePolicy(policy, { ...e, scan: undefined, files: undefined });
    expect(failed(none).map((f) => f[1])).toEqual(['WEIGHT_FORMAT_DENIED', 'SCAN_FAILED']);
  });

  it('scan: clean refuses a file of unknown format unless weights.allowUnknown names its whole path', async () => {
    const e = await evidence();
    const unknown = ['model.pkl.gz', 'tokenizer.model', 'sub/tokenizer.model'];
    const scan = { clean: true, findings: [], unknown };
    const strict = evaluatePolicy(policy, { ...e, scan });
    expect(failed(strict)).toEqual([
      [
        'weights.scan',
        'SCAN_FAILED',
        'model.pkl.gz is of unknown format: no loader the scanner knows accepts it, so it cannot be shown safe; name it in weights.allowUnknown to let it through (2 more file(s) of unknown format)',
      ],
    ]);
    const allowing = (globs: string) =>
      parsePolicy(policyText().replace('scan: clean', `scan: clean\n      allowUnknown: ${globs}`));
    // anchored: tokenizer.model names the top-level file only, not sub/tokenizer.model
    const some = evaluatePolicy(allowing('[tokenizer.model, model.pkl.gz]'), { ...e, scan });
    expect(failed(some)).toEqual([
      [
        'weights.scan',
        'SCAN_FAILED',
        'sub/tokenizer.model is of unknown format: no loader the scanner knows accepts it, so it cannot be shown safe; name it in weights.allowUnknown to let it through',
      ],
    ]);
    const all = evaluatePolicy(allowing("['**/tokenizer.model', '*.gz']"), { ...e, scan });
    expect(failed(all)).toEqual([]);
    expect(all.checks.find((c) => c.name === 'weights.scan')?.reason).toBe(
      'the scan found nothing dangerous (3 file(s) of unknown format allowed by weights.allowUnknown)',
    );
    // allowUnknown never hides a finding
    const dirty = evaluatePolicy(allowing("['**']".replace('**', '*.gz')), {
      ...e,
      scan: { clean: false, findings: [{ path: 'a.pkl', message: 'imports os.system' }], unknown: [] },
    });
    expect(failed(dirty)).toEqual([['weights.scan', 'SCAN_FAILED', 'a.pkl: imports os.system']]);
  });

  it('checks that never ran are "not evaluated", never passed, and are no failure of their own', async () => {
    const e = await evidence();
    const early = evaluatePolicy(
      policy,
      { ...e, files: undefined, scan: undefined },
      { notEvaluated: ['weights'] },
    );
    const weights = early.checks.filter((c) => c.name.startsWith('weights.'));
    expect(weights).toEqual([
      {
        name: 'weights.formats',
        passed: false,
        status: 'not evaluated',
        reason: 'not evaluated: the weight files are examined after download',
      },
      {
        name: 'weights.scan',
        passed: false,
        status: 'not evaluated',
        reason: 'not evaluated: the weight files are examined after download',
      },
    ]);
    expect(early.allowed).toBe(false);
    expect(policyFailure(early)).toBeUndefined(); // nothing has failed yet
    const denied = evaluatePolicy(
      policy,
      {
        ...(await evidence({ prov: { builderId: 'https://evil.test/ci' } })),
        files: undefined,
        scan: undefined,
      },
      { notEvaluated: ['weights'] },
    );
    expect(policyFailure(denied)?.code).toBe('PROVENANCE_REJECTED');
    expect(policyFailure(denied)?.message).toMatch(
      /^policy prod: provenance\.builder: .* \(1 more failed check\(s\)\)$/,
    );
  });

  it('audit mode reports failures without enforcing them', async () => {
    const audit = parsePolicy(policyText('audit'));
    const r = evaluatePolicy(audit, await evidence({ omsBy: null }));
    expect(r).toMatchObject({ allowed: false, enforced: false, policy: { mode: 'audit' } });
    expect(policyFailure(r)).toBeUndefined();
  });
});
