// The GitHub Action's `mode: sign` with `registry-ref`: pushes to a real docker-registry (htpasswd
// auth, credentials from the Docker config a docker/login-action step writes), attests about the
// pushed manifest digest, and with `github-attestations: true` stores the provenance bundle through a
// local endpoint speaking GitHub's attestation API. An unreachable registry fails the step.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GITHUB_ISSUER,
  RECORDED_RUN,
  RUN_IDENTITY,
  errorLines,
  modelsealCli,
  omsRootOf,
  runAction,
  startAttestationApi,
} from './action-process.js';
import { bundleJson, statementOf } from './bundle-json.js';
import { REPO } from './cli-process.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { startSigstoreStack, type SigstoreStack } from './sigstore/stack.js';
import { keyPolicyYaml } from './policy/key-policy.js';

const execFileAsync = promisify(execFile);
const KEY = path.join(REPO, 'fixtures/keys/test.key');
const PUB = path.join(REPO, 'fixtures/keys/test.pub');
const HINT = createHash('sha256').update(readFileSync(PUB)).digest('hex');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ms-action-push-'));
const GITHUB_TOKEN = 'ghs_modelsealTestToken0123456789abcdef';

let stack: SigstoreStack;
let reg: RunningRegistry;
let api: Awaited<ReturnType<typeof startAttestationApi>>;
let env: Record<string, string>;

beforeAll(async () => {
  [stack, reg, api] = await Promise.all([
    startSigstoreStack(),
    startRegistry({ auth: 'htpasswd' }),
    startAttestationApi(),
  ]);
  // what docker/login-action leaves behind: DOCKER_CONFIG/config.json with a basic-auth entry
  const dockerConfig = path.join(tmp, 'docker');
  mkdirSync(dockerConfig);
  const auth = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
  writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
  env = {
    ...RECORDED_RUN,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.ghaTokenURL}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.ghaRequestToken,
    DOCKER_CONFIG: dockerConfig,
    GITHUB_API_URL: api.url,
  };
});
afterAll(async () => {
  await Promise.all([stack?.close(), reg?.close(), api?.close()]);
});

function model(name: string): string {
  const dir = path.join(tmp, name);
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), dir, { recursive: true });
  return dir;
}

async function manifestDigest(ref: string): Promise<string> {
  const { stdout } = await execFileAsync(
    'skopeo',
    [
      '--insecure-policy',
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `${reg.username}:${reg.password}`,
      `docker://${ref}`,
    ],
    { env: { ...process.env, HOME: tmp }, encoding: 'buffer', timeout: 60_000 },
  );
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}

describe('mode: sign with registry-ref', () => {
  it('pushes with the Docker config credentials and attests the manifest digest (subject 0) and the OMS root', async () => {
    const dir = model('pushed');
    const expected = omsRootOf(dir);
    const ref = `${reg.host}/models/sample:v1`;
    const r = await runAction(
      {
        'model-path': dir,
        'registry-ref': ref,
        key: KEY,
        'key-password': 'modelseal-test',
      },
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const digest = await manifestDigest(ref);
    expect(r.outputs).toEqual({
      'oms-root': `sha256:${expected.root}`,
      'signature-path': path.join(dir, 'model.sig'),
      digest,
      'provenance-bundle': `${dir}.slsaprovenance1.sigstore.json`,
      'sbom-bundle': `${dir}.cyclonedx.sigstore.json`,
    });
    expect(r.summary).toContain(`| Manifest digest | \`${digest}\` |`);
    expect(r.summary).toContain(`| Pushed | \`${ref}@${digest}\` |`);
    // both attestations name the pushed manifest first (cosign prints Subject[0]), then the OMS root
    const subjects = [
      { name: `${reg.host}/models/sample`, digest: { sha256: digest.slice(7) } },
      { name: path.basename(dir), digest: { sha256: expected.root } },
    ];
    const provText = readFileSync(`${dir}.slsaprovenance1.sigstore.json`, 'utf8');
    expect(statementOf(bundleJson(provText)).subject).toEqual(subjects);
    expect(statementOf(bundleJson(readFileSync(`${dir}.cyclonedx.sigstore.json`, 'utf8'))).subject).toEqual(
      subjects,
    );

    // the CLI accepts the artifact's signatures and attestations, which are the summary's referrers
    const cliEnv = { DOCKER_CONFIG: env.DOCKER_CONFIG };
    const v = await modelsealCli(['verify', ref, '--key', PUB, '--json'], cliEnv);
    expect(v.code, v.stderr).toBe(0);
    const verified = JSON.parse(v.stdout);
    expect(verified.digest).toBe(digest);
    expect(verified.root).toBe(expected.root);
    const checks = verified.signatures;
    const kinds = checks.map((c: { kind: string; verified: boolean }) => [c.kind, c.verified]);
    expect(kinds.sort()).toEqual([
      ['cosign', true],
      ['oms', true],
    ]);
    for (const c of checks) expect(r.summary).toContain(`\`${c.source}\``);
    for (const type of ['slsaprovenance1', 'cyclonedx']) {
      const a = await modelsealCli(['verify-attestation', ref, '--type', type, '--key', PUB], cliEnv);
      expect(a.code, `${type}: ${a.stderr}`).toBe(0);
    }
    expect(r.summary).toMatch(
      /\| Referrers \| OMS signature `sha256:[0-9a-f]{64}`<br>cosign signature `sha256:[0-9a-f]{64}`<br>provenance `sha256:[0-9a-f]{64}`<br>SBOM `sha256:[0-9a-f]{64}` \|/,
    );

    expect(api.requests).toHaveLength(0);
  });

  it('keyless: stores the provenance on GitHub; verify REF and verify-attestation REF accept it with the identity the token carried', async () => {
    const dir = model('pushed-keyless');
    const ref = `${reg.host}/models/keyless:v1`;
    const r = await runAction(
      {
        'model-path': dir,
        'registry-ref': ref,
        'signing-config': stack.signingConfigPath,
        'trusted-root': stack.trustedRootPath,
        'github-attestations': 'true',
        'github-token': GITHUB_TOKEN,
      },
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const digest = await manifestDigest(ref);
    expect(r.outputs.digest).toBe(digest);
    expect(r.outputs['attestation-id']).toBe('4243');
    expect(r.summary).toContain(
      `| GitHub attestation | id 4243 (\`gh attestation verify oci://${ref}@${digest}\`) |`,
    );
    // GitHub's attestation API got exactly the provenance bundle, with the token, for the run's repository
    const provText = readFileSync(`${dir}.slsaprovenance1.sigstore.json`, 'utf8');
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/repos/octo/model/attestations');
    expect(req.headers.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);
    expect(req.headers['x-github-api-version']).toBe('2022-11-28');
    expect(JSON.parse(req.body)).toEqual({ bundle: JSON.parse(provText) });
    // the token is masked, never printed
    expect(r.stdout).toContain(`::add-mask::${GITHUB_TOKEN}\n`);
    expect(
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain(GITHUB_TOKEN);
    const keyless = [
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      RUN_IDENTITY,
      '--certificate-oidc-issuer',
      GITHUB_ISSUER,
    ];
    const cliEnv = { DOCKER_CONFIG: env.DOCKER_CONFIG };
    const v = await modelsealCli(['verify', ref, ...keyless, '--json'], cliEnv);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).signer).toMatchObject({
      kind: 'keyless',
      identity: RUN_IDENTITY,
      issuer: GITHUB_ISSUER,
    });
    const a = await modelsealCli(
      ['verify-attestation', ref, '--type', 'slsaprovenance1', ...keyless],
      cliEnv,
    );
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).runDetails.builder.id).toBe(RUN_IDENTITY);
    const other = await modelsealCli(
      [
        'verify',
        ref,
        ...keyless.slice(0, 2),
        '--certificate-identity',
        `${RUN_IDENTITY}x`,
        '--certificate-oidc-issuer',
        GITHUB_ISSUER,
      ],
      cliEnv,
    );
    expect(other.code).toBe(1);
  });

  it('github-attestations without registry-ref is a usage error before any work', async () => {
    const dir = model('no-ref');
    const r = await runAction(
      { 'model-path': dir, key: KEY, 'key-password': 'modelseal-test', 'github-attestations': 'true' },
      env,
    );
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: input 'github-attestations: true' needs 'registry-ref': GitHub's attestation store indexes the pushed manifest digest (gh attestation verify oci://REF)",
    ]);
  });

  it('github-attestations with a key is a usage error before any work: gh attestation verify would never accept it', async () => {
    const dir = model('key-to-github');
    const ref = `${reg.host}/models/key-to-github:v1`;
    const before = api.requests.length;
    const r = await runAction(
      {
        'model-path': dir,
        'registry-ref': ref,
        key: KEY,
        'key-password': 'modelseal-test',
        'github-attestations': 'true',
        'github-token': GITHUB_TOKEN,
      },
      env,
    );
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: input 'github-attestations: true' cannot store a signature made with 'key': `gh attestation verify` accepts only certificates issued by Fulcio (public-good Sigstore or GitHub's), so a key-signed bundle in GitHub's attestation store would never verify. Sign keyless (drop 'key') or set 'github-attestations: false'; the provenance is still attached to the artifact as a referrer",
    ]);
    expect(existsSync(path.join(dir, 'model.sig'))).toBe(false);
    expect(api.requests.length).toBe(before);
  });

  it('an unreachable registry fails the step with one REGISTRY annotation', async () => {
    // a port nobody listens on: bind one, then close it
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dir = model('unreachable');
    const r = await runAction(
      {
        'model-path': dir,
        'registry-ref': `127.0.0.1:${port}/models/sample:v1`,
        key: KEY,
        'key-password': 'modelseal-test',
      },
      env,
    );
    expect(r.code).toBe(1);
    const lines = errorLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^::error title=modelseal REGISTRY::error\\[REGISTRY\\]: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`,
      ),
    );
    expect(r.outputs.digest).toBeUndefined();
  });
});

describe('mode: verify with registry-ref', () => {
  let ref: string;
  let digest: string;
  let root: string;
  beforeAll(async () => {
    const dir = model('deploy');
    root = omsRootOf(dir).root;
    ref = `${reg.host}/models/deploy:v1`;
    const r = await runAction(
      { 'model-path': dir, 'registry-ref': ref, key: KEY, 'key-password': 'modelseal-test' },
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    digest = await manifestDigest(ref);
  });

  it('checks the signatures where the artifact is stored (no dest)', async () => {
    const r = await runAction({ mode: 'verify', 'registry-ref': ref, 'public-key': PUB }, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toEqual({
      verified: 'true',
      digest,
      'oms-root': `sha256:${root}`,
      signer: `key ${HINT}`,
    });
    expect(r.summary).toContain(`| Manifest digest | \`${digest}\` |`);
    expect(r.summary).toMatch(
      /\| Signatures \| (oms|cosign) `sha256:[0-9a-f]{64}`: verified<br>(oms|cosign) `sha256:[0-9a-f]{64}`: verified \|/,
    );
    // another key: WRONG_KEY, one annotation, the job fails
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const bad = await runAction({ mode: 'verify', 'registry-ref': ref, 'public-key': other }, env);
    expect(bad.code).toBe(1);
    expect(errorLines(bad)).toHaveLength(1);
    expect(errorLines(bad)[0]).toMatch(/^::error title=modelseal WRONG_KEY::error\[WRONG_KEY\]: /);
    expect(bad.outputs).toEqual({ verified: 'false' });
  });

  it('pulls into dest only after the signatures verified; the pulled model verifies as a directory', async () => {
    const dest = path.join(tmp, 'pulled');
    const r = await runAction({ mode: 'verify', 'registry-ref': ref, 'public-key': PUB, dest }, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.digest).toBe(digest);
    expect(omsRootOf(dest).root).toBe(root);
    const v = await modelsealCli(['verify', dest, '--key', PUB]);
    expect(v.code, v.stderr).toBe(0);
    // a wrong key leaves no dest behind
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const dest2 = path.join(tmp, 'pulled-wrong-key');
    const bad = await runAction(
      { mode: 'verify', 'registry-ref': ref, 'public-key': other, dest: dest2 },
      env,
    );
    expect(bad.code).toBe(1);
    expect(existsSync(dest2)).toBe(false);
  });

  it('a policy: allowed pulls into dest; denied fails the job and leaves dest absent', async () => {
    const policy = (name: string, builder: string) => {
      const f = path.join(tmp, `${name}.yaml`);
      writeFileSync(
        f,
        keyPolicyYaml({
          name,
          publicKeyPem: readFileSync(PUB, 'utf8'),
          provenance: { builderRegExp: builder, maxLevel: 2 },
          sbom: {},
        }),
      );
      return f;
    };
    const dest = path.join(tmp, 'policy-pulled');
    const ok = await runAction(
      {
        mode: 'verify',
        'registry-ref': ref,
        policy: policy('release', 'https://github\\.com/octo/model/\\.github/workflows/release\\.yml@.*'),
        dest,
      },
      env,
    );
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.outputs).toEqual({
      verified: 'true',
      policy: 'allowed',
      digest,
      'oms-root': `sha256:${root}`,
      signer: `key ${HINT}`,
    });
    expect(ok.stdout).toContain(
      `policy release: allowed for ${ref}, signed by key ${HINT}, pulled into ${dest}\n`,
    );
    // the OMS signature the policy bound is beside the files: the model verifies as a directory
    const v = await modelsealCli(['verify', dest, '--key', PUB]);
    expect(v.code, v.stderr).toBe(0);
    expect(omsRootOf(dest, ['model.sig', '.modelseal-complete']).root).toBe(root);
    expect(ok.summary).toContain('| SLSA build level | 2 |');
    const dest2 = path.join(tmp, 'policy-denied');
    const bad = await runAction(
      {
        mode: 'verify',
        'registry-ref': ref,
        policy: policy('other', 'https://github\\.com/octo/other/.*'),
        dest: dest2,
      },
      env,
    );
    expect(bad.code).toBe(1);
    expect(errorLines(bad)).toHaveLength(1);
    expect(errorLines(bad)[0]).toMatch(
      /^::error title=modelseal PROVENANCE_REJECTED::error\[PROVENANCE_REJECTED\]: /,
    );
    expect(bad.outputs).toEqual({ verified: 'false' });
    expect(existsSync(dest2)).toBe(false);
  });
});
