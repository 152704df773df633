// `provenance`, `sbom`, `attest` and `verify-attestation` on a model directory through the CLI (run
// in this process: ./cli-in-process.ts), with a key, a certificate chain (openssl PKI) and keyless (local Sigstore stack); GitHub
// provenance from recorded GITHUB_* variables and a token served by the stack's Actions endpoint.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slsaProvenanceV1Schema } from '../packages/core/src/provenance/provenance-schema.js';
import { makePki, type Pki } from './oms-test-pki.js';
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER, type SigstoreStack } from './sigstore/stack.js';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-attest-cli-'));
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(SIGSTORE_ID_TOKEN|ACTIONS_ID_TOKEN_REQUEST_|GITHUB_)/.test(k),
  ),
);

function modelseal(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliInProcess(args, { cwd: tmp, baseEnv: ENV, env });
}

let stack: SigstoreStack;
let pki: Pki;
beforeAll(async () => {
  stack = await startSigstoreStack();
  pki = makePki(path.join(tmp, 'pki'));
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const KEY = path.join(repo, 'fixtures/keys/test.key');
const PUB = path.join(repo, 'fixtures/keys/test.pub');
const PASS = { COSIGN_PASSWORD: 'modelseal-test' };

const signers: Record<
  string,
  {
    sign: () => string[];
    verify: () => string[];
    wrong: () => string[];
    wrongCode: string;
    env: Record<string, string>;
  }
> = {
  key: {
    sign: () => ['--key', KEY],
    verify: () => ['--key', PUB],
    wrong: () => ['--key', path.join(tmp, 'other.pub')],
    wrongCode: 'WRONG_KEY',
    env: PASS,
  },
  certificate: {
    sign: () => [
      '--key',
      pki.leaf.keyPath,
      '--certificate',
      pki.leaf.certPath,
      '--certificate-chain',
      pki.intermediate.certPath,
    ],
    verify: () => ['--certificate-chain', pki.root.certPath],
    wrong: () => ['--certificate-chain', pki.otherRoot.certPath],
    wrongCode: 'UNTRUSTED_CHAIN',
    env: {},
  },
  keyless: {
    sign: () => ['--signing-config', stack.signingConfigPath, '--identity-token', stack.token()],
    verify: () => [
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      TEST_EMAIL,
      '--certificate-oidc-issuer',
      TEST_ISSUER,
    ],
    wrong: () => [
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      'eve@example.test',
      '--certificate-oidc-issuer',
      TEST_ISSUER,
    ],
    wrongCode: 'IDENTITY_MISMATCH',
    env: {},
  },
};

describe.each(Object.keys(signers))('attest a model directory (%s)', (kind) => {
  it('provenance + sbom attested, each verifies; wrong signer, changed model and altered bundle fail', async () => {
    const s = signers[kind];
    if (kind === 'key' && !existsSync(path.join(tmp, 'other.pub'))) {
      const k = await modelseal(['keygen', '--output-prefix', path.join(tmp, 'other')], PASS);
      expect(k.code).toBe(0);
    }
    const dir = mkdtempSync(path.join(tmp, `${kind}-`));
    const model = path.join(dir, 'hf-tiny-llama');
    cpSync(path.join(repo, 'fixtures/models/hf-tiny-llama'), model, { recursive: true });
    writeFileSync(path.join(dir, 'metrics.json'), '{"perplexity": 7.31}\n');

    const prov = await modelseal([
      'provenance',
      model,
      '--output',
      path.join(dir, 'prov.json'),
      '--no-source',
      '--dataset',
      `tinystories=hf://datasets/roneneldan/TinyStories@sha256:${'5a'.repeat(32)}`,
      '--parameter',
      'lr=0.0003',
      '--byproduct',
      path.join(dir, 'metrics.json'),
      '--started-on',
      '2025-03-01T08:00:00Z',
      '--finished-on',
      '2025-03-01T09:15:00Z',
    ]);
    expect(prov.code, prov.stderr).toBe(0);
    const statement = JSON.parse(readFileSync(path.join(dir, 'prov.json'), 'utf8'));
    expect(slsaProvenanceV1Schema.safeParse(statement.predicate).success).toBe(true);
    expect(statement.predicate.runDetails.byproducts).toEqual([
      {
        name: 'metrics.json',
        digest: { sha256: '9129bd656e5ccf8a57198977401d39d97fd2f0c40cbde9a6becf6ec51cf08f8b' },
      },
    ]);
    const sbom = await modelseal(['sbom', model, '--output', path.join(dir, 'bom.json')]);
    expect(sbom.code, sbom.stderr).toBe(0);

    for (const [type, file] of [
      ['slsaprovenance1', 'prov.json'],
      ['cyclonedx', 'bom.json'],
    ]) {
      const a = await modelseal(
        ['attest', model, '--predicate', path.join(dir, file), '--type', type, ...s.sign()],
        s.env,
      );
      expect(a.code, a.stderr).toBe(0);
      expect(a.stdout.trim()).toBe(`${model}.${type}.sigstore.json`);
      const v = await modelseal(['verify-attestation', model, '--type', type, '--json', ...s.verify()]);
      expect(v.code, v.stderr).toBe(0);
      const out = JSON.parse(v.stdout);
      expect(out.verified).toBe(true);
      expect(out.statement.subject[0].digest.sha256).toBe(statement.subject[0].digest.sha256);
      expect(out.statement.predicateType).toBe(
        type === 'cyclonedx' ? 'https://cyclonedx.org/bom' : 'https://slsa.dev/provenance/v1',
      );
      const w = await modelseal(['verify-attestation', model, '--type', type, ...s.wrong()]);
      expect([w.code, w.stderr.split('\n')[0].match(/error\[(\w+)\]/)?.[1]]).toEqual([1, s.wrongCode]);
    }
    // An altered bundle: the predicate inside the signed payload changed.
    const bundlePath = `${model}.slsaprovenance1.sigstore.json`;
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    payload.predicate.runDetails.builder.id = 'https://evil.example/builder';
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    writeFileSync(path.join(dir, 'altered.json'), JSON.stringify(bundle));
    const alt = await modelseal([
      'verify-attestation',
      model,
      '--type',
      'slsaprovenance1',
      '--bundle',
      path.join(dir, 'altered.json'),
      ...s.verify(),
    ]);
    expect(alt.code).toBe(1);
    expect(alt.stderr).toMatch(/error\[(BAD_SIGNATURE|TLOG_INVALID)\]/);
    // The model changes after attesting: the subject is no longer this model.
    writeFileSync(path.join(model, 'model.safetensors'), 'swapped weights');
    const changed = await modelseal(['verify-attestation', model, '--type', 'cyclonedx', ...s.verify()]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(
      /^modelseal: error\[SUBJECT_MISMATCH\]: .*hf-tiny-llama\.cyclonedx\.sigstore\.json: the attestation is about sha256:/,
    );
  }, 120_000);
});

describe('attest refuses', () => {
  it('an output inside the model, a statement of another type, an unknown type', async () => {
    const model = path.join(tmp, 'refuse-model');
    cpSync(path.join(repo, 'fixtures/models/hf-tiny-llama'), model, { recursive: true });
    writeFileSync(
      path.join(tmp, 'p.json'),
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {},
      }),
    );
    const inside = await modelseal(
      [
        'attest',
        model,
        '--predicate',
        path.join(tmp, 'p.json'),
        '--type',
        'slsaprovenance1',
        '--key',
        KEY,
        '--output',
        path.join(model, 'x.json'),
      ],
      PASS,
    );
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('error[USAGE]');
    expect(existsSync(path.join(model, 'x.json'))).toBe(false);
    const other = await modelseal(
      ['attest', model, '--predicate', path.join(tmp, 'p.json'), '--type', 'cyclonedx', '--key', KEY],
      PASS,
    );
    expect(other.stderr.trim()).toBe(
      `modelseal: error[USAGE]: ${path.join(tmp, 'p.json')} is a statement with predicateType 'https://slsa.dev/provenance/v1', not 'https://cyclonedx.org/bom'`,
    );
    const unknown = await modelseal(
      ['attest', model, '--predicate', path.join(tmp, 'p.json'), '--type', 'slsa', '--key', KEY],
      PASS,
    );
    expect(unknown.code).toBe(2);
    expect(existsSync(`${model}.attestation.sigstore.json`)).toBe(false);
  });
});

describe('provenance on GitHub Actions', () => {
  const GH = {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo/model',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW_REF: 'octo/model/.github/workflows/release.yml@refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
  };
  it('fills the GitHub buildType from the token (audience nobody) and the environment', async () => {
    const model = path.join(tmp, 'gh-model');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
    const before = stack.requests.gha ?? 0;
    const r = await modelseal(['provenance', model], {
      ...GH,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.ghaTokenURL}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.ghaRequestToken,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(stack.requests.gha).toBe(before + 1);
    const p = JSON.parse(r.stdout).predicate;
    expect(p.buildDefinition).toEqual({
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
    });
    expect(p.runDetails).toEqual({
      builder: { id: 'https://github.com/octo/model/.github/workflows/release.yml@refs/heads/main' },
      metadata: { invocationId: 'https://github.com/octo/model/actions/runs/42/attempts/1' },
    });
  });

  it('a token for another commit, and a job without id-token: write, fail', async () => {
    const model = path.join(tmp, 'gh-model-2');
    cpSync(path.join(repo, 'fixtures/models/sample-model'), model, { recursive: true });
    const env = {
      ...GH,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.ghaTokenURL}?x=1`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.ghaRequestToken,
    };
    const r = await modelseal(['provenance', model], { ...env, GITHUB_SHA: 'f'.repeat(40) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `modelseal: error[INVALID_PROVENANCE]: the GitHub Actions token says 0123456789abcdef0123456789abcdef01234567 where GITHUB_SHA is ${'f'.repeat(40)}`,
    );
    const none = await modelseal(['provenance', model], GH);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error[MISSING_IDENTITY_TOKEN]');
    expect(none.stderr).toContain('id-token: write');
  });
});
