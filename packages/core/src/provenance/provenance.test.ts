// buildProvenance: the ml-training buildType field by field, GitHub's buildType from a recorded set of
// claims (values as actions/attest maps them), the SLSA v1 zod schema, and each rejection.
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../../../test/rejection.js';
import { buildProvenance, type GithubBuildClaims } from './provenance.js';
import { slsaProvenanceV1Schema } from './provenance-schema.js';

const SUBJECT = [{ name: 'm', digest: { sha256: 'ab'.repeat(32) } }];
const rejected = async (f: () => unknown) => rejectionOf(Promise.resolve().then(f));

const CLAIMS: GithubBuildClaims = {
  serverUrl: 'https://github.com',
  iss: 'https://token.actions.githubusercontent.com',
  ref: 'refs/heads/main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  repository: 'octo/model',
  event_name: 'push',
  job_workflow_ref: 'octo/platform/.github/workflows/train.yml@refs/tags/v2',
  workflow_ref: 'octo/model/.github/workflows/release.yml@refs/heads/main',
  repository_id: '1001',
  repository_owner_id: '2002',
  runner_environment: 'github-hosted',
  run_id: '42',
  run_attempt: '3',
};

describe('buildProvenance, ml-training buildType', () => {
  it('records datasets, base models, parameters, source, times and byproducts', () => {
    const s = buildProvenance({
      subjects: SUBJECT,
      datasets: [{ name: 'imdb', uri: 's3://acme/imdb@v7', digest: { sha256: '11'.repeat(32) } }],
      baseModels: [
        { name: 'bert', uri: 'hf://google-bert/bert-base-uncased', digest: { sha256: '22'.repeat(32) } },
      ],
      parameters: { lr: 0.001, epochs: 3 },
      source: { repository: 'https://github.com/acme/train', commit: 'f'.repeat(40), ref: 'refs/heads/main' },
      byproducts: [{ name: 'metrics.json', digest: { sha256: '33'.repeat(32) } }],
      startedOn: new Date('2025-01-31T10:00:00.123Z'),
      finishedOn: new Date('2025-01-31T12:30:00Z'),
      builderId: 'https://ci.acme.dev/runners/gpu-a100',
      invocationId: 'https://ci.acme.dev/runs/7',
    });
    expect(s.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(s.subject).toEqual(SUBJECT);
    expect(s.predicate).toEqual({
      buildDefinition: {
        buildType: 'https://modelseal.dev/buildtypes/ml-training/v1',
        externalParameters: {
          parameters: { lr: 0.001, epochs: 3 },
          datasets: [{ name: 'imdb', uri: 's3://acme/imdb@v7' }],
          baseModels: [{ name: 'bert', uri: 'hf://google-bert/bert-base-uncased' }],
          source: { repository: 'https://github.com/acme/train', ref: 'refs/heads/main' },
        },
        resolvedDependencies: [
          {
            uri: 'git+https://github.com/acme/train@refs/heads/main',
            digest: { gitCommit: 'f'.repeat(40) },
            annotations: { role: 'source' },
          },
          {
            name: 'imdb',
            uri: 's3://acme/imdb@v7',
            digest: { sha256: '11'.repeat(32) },
            annotations: { role: 'dataset' },
          },
          {
            name: 'bert',
            uri: 'hf://google-bert/bert-base-uncased',
            digest: { sha256: '22'.repeat(32) },
            annotations: { role: 'base-model' },
          },
        ],
      },
      runDetails: {
        builder: { id: 'https://ci.acme.dev/runners/gpu-a100', version: { modelseal: '0.1.0' } },
        metadata: {
          invocationId: 'https://ci.acme.dev/runs/7',
          startedOn: '2025-01-31T10:00:00Z',
          finishedOn: '2025-01-31T12:30:00Z',
        },
        byproducts: [{ name: 'metrics.json', digest: { sha256: '33'.repeat(32) } }],
      },
    });
    expect(slsaProvenanceV1Schema.safeParse(s.predicate).success).toBe(true);
  });

  it('defaults: local builder, urn:uuid invocation, both times now', () => {
    const before = Date.now() - 1000;
    const p = buildProvenance({ subjects: SUBJECT }).predicate;
    expect(p.runDetails.builder.id).toBe('https://modelseal.dev/builders/local/v1');
    expect(p.runDetails.metadata?.invocationId).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const started = Date.parse(p.runDetails.metadata?.startedOn ?? '');
    expect(started).toBeGreaterThanOrEqual(before);
    expect(p.runDetails.metadata?.finishedOn).toBe(p.runDetails.metadata?.startedOn);
    expect(p.buildDefinition.externalParameters).toEqual({ parameters: {} });
    expect(p.buildDefinition.resolvedDependencies).toEqual([]);
  });

  it('rejects: no subject, finish before start, a dataset URI that is not a URI, a bad digest', async () => {
    expect((await rejected(() => buildProvenance({ subjects: [] }))).code).toBe('USAGE');
    const times = await rejected(() =>
      buildProvenance({
        subjects: SUBJECT,
        startedOn: new Date('2025-01-02T00:00:00Z'),
        finishedOn: new Date('2025-01-01T00:00:00Z'),
      }),
    );
    expect([times.code, times.message]).toEqual([
      'INVALID_PROVENANCE',
      'finishedOn 2025-01-01T00:00:00Z is before startedOn 2025-01-02T00:00:00Z',
    ]);
    const uri = await rejected(() =>
      buildProvenance({
        subjects: SUBJECT,
        datasets: [{ name: 'd', uri: 'not a uri', digest: { sha256: 'aa' } }],
      }),
    );
    expect(uri.code).toBe('INVALID_PROVENANCE');
    const digest = await rejected(() =>
      buildProvenance({
        subjects: SUBJECT,
        datasets: [{ name: 'd', uri: 's3://b/d', digest: { sha256: 'XYZ' } }],
      }),
    );
    expect([digest.code, digest.message]).toEqual([
      'INVALID_PROVENANCE',
      'provenance buildDefinition.resolvedDependencies.0.digest.sha256: lowercase hex digest',
    ]);
  });
});

describe('buildProvenance, GitHub workflow buildType', () => {
  it('maps the claims exactly as actions/attest does', () => {
    const s = buildProvenance({ subjects: SUBJECT, github: CLAIMS });
    expect(s.predicate).toEqual({
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            ref: 'refs/heads/main',
            repository: 'https://github.com/octo/model',
            path: '.github/workflows/release.yml',
          },
        },
        internalParameters: {
          github: {
            event_name: 'push',
            repository_id: '1001',
            repository_owner_id: '2002',
            runner_environment: 'github-hosted',
          },
        },
        resolvedDependencies: [
          {
            uri: 'git+https://github.com/octo/model@refs/heads/main',
            digest: { gitCommit: '0123456789abcdef0123456789abcdef01234567' },
          },
        ],
      },
      runDetails: {
        builder: { id: 'https://github.com/octo/platform/.github/workflows/train.yml@refs/tags/v2' },
        metadata: { invocationId: 'https://github.com/octo/model/actions/runs/42/attempts/3' },
      },
    });
  });

  it('adds datasets as dependencies; refuses ml-training-only inputs', async () => {
    const s = buildProvenance({
      subjects: SUBJECT,
      github: CLAIMS,
      datasets: [{ name: 'imdb', uri: 's3://acme/imdb', digest: { sha256: '11'.repeat(32) } }],
    });
    expect(s.predicate.buildDefinition.resolvedDependencies?.[1]).toEqual({
      name: 'imdb',
      uri: 's3://acme/imdb',
      digest: { sha256: '11'.repeat(32) },
      annotations: { role: 'dataset' },
    });
    const e = await rejected(() =>
      buildProvenance({ subjects: SUBJECT, github: CLAIMS, parameters: { a: 1 } }),
    );
    expect(e.code).toBe('USAGE');
  });
});

describe('slsaProvenanceV1Schema', () => {
  it('rejects a predicate without buildType or builder.id, and a descriptor with nothing in it', () => {
    const ok = buildProvenance({ subjects: SUBJECT }).predicate;
    const clone = () => JSON.parse(JSON.stringify(ok));
    const noType = clone();
    delete noType.buildDefinition.buildType;
    expect(slsaProvenanceV1Schema.safeParse(noType).success).toBe(false);
    const noBuilder = clone();
    delete noBuilder.runDetails.builder.id;
    expect(slsaProvenanceV1Schema.safeParse(noBuilder).success).toBe(false);
    const emptyDep = clone();
    emptyDep.buildDefinition.resolvedDependencies = [{ name: 'x' }];
    expect(slsaProvenanceV1Schema.safeParse(emptyDep).success).toBe(false);
    const badTime = clone();
    badTime.runDetails.metadata.startedOn = '2025-01-01 00:00';
    expect(slsaProvenanceV1Schema.safeParse(badTime).success).toBe(false);
  });
});
