// The GitHub Action's `mode: sign`, run as the runner runs dist/index.js: a key given as a path and
// as PEM text, keyless with the job's OIDC token from the local Sigstore stack's Actions endpoint,
// and the failures a workflow author meets (no id-token permission, a missing model path). What it
// writes is checked with the modelseal CLI and with digests computed here.
import { generateKeyPairSync, createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GITHUB_ISSUER,
  RECORDED_RUN,
  RUN_IDENTITY,
  errorLines,
  modelsealCli,
  omsRootOf,
  runAction,
} from './action-process.js';
import { bundleJson, statementOf } from './bundle-json.js';
import { REPO } from './cli-process.js';
import {
  DEFAULT_GITHUB_CLAIMS,
  startSigstoreStack,
  unsignedJwt,
  type SigstoreStack,
} from './sigstore/stack.js';

const KEY = path.join(REPO, 'fixtures/keys/test.key');
const PUB = path.join(REPO, 'fixtures/keys/test.pub');
const PASSWORD = 'modelseal-test';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ms-action-sign-'));
const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
const PERMISSION_LINE =
  "this job cannot get an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add the line 'id-token: write' under 'permissions:' in the workflow or job that runs this step";

let stack: SigstoreStack;
let tokenEnv: Record<string, string>;

beforeAll(async () => {
  stack = await startSigstoreStack();
  tokenEnv = {
    ...RECORDED_RUN,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.ghaTokenURL}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.ghaRequestToken,
  };
});
afterAll(async () => {
  await stack.close();
});

let n = 0;
/** A fresh copy of the sample model, plus a 6 MiB weight file (hashed on worker threads). */
function model(): string {
  const dir = path.join(tmp, `model-${++n}`);
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), dir, { recursive: true });
  const weights = Buffer.alloc(6 * 1024 * 1024);
  for (let i = 0; i < weights.length; i += 4096) weights.writeUInt32BE(i, i);
  writeFileSync(path.join(dir, 'weights.bin'), weights);
  return dir;
}

/** Log lines other than the `::add-mask::` commands that teach the runner what to hide. */
const visibleLog = (stdout: string, stderr: string) =>
  `${stdout}\n${stderr}`
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe('mode: sign with a key', () => {
  it('a key file: signature, provenance and ML-BOM beside the model, outputs and summary', async () => {
    const dir = model();
    const expected = omsRootOf(dir);
    const dataset = `imdb=s3://acme-data/imdb@sha256:${'ab'.repeat(32)}`;
    const gha = stack.requests.gha ?? 0;
    const r = await runAction(
      { 'model-path': dir, key: KEY, 'key-password': PASSWORD, dataset: `${dataset}\n` },
      tokenEnv,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // no warning at all: in particular no DEP0040 for the built-in punycode (CycloneDX validation)
    expect(r.stderr).toBe('');
    expect(r.outputs).toEqual({
      'oms-root': `sha256:${expected.root}`,
      'signature-path': path.join(dir, 'model.sig'),
      'provenance-bundle': `${dir}.slsaprovenance1.sigstore.json`,
      'sbom-bundle': `${dir}.cyclonedx.sigstore.json`,
    });
    // the provenance read the workflow identity from one token (audience nobody)
    expect(stack.requests.gha).toBe(gha + 1);
    const hint = createHash('sha256').update(readFileSync(PUB)).digest('hex');
    expect(r.summary).toContain('<h3>modelseal: signed</h3>');
    expect(r.summary).toContain(`| Files | ${expected.files} |`);
    expect(r.summary).toContain(`| Total size | 6.0 MiB (${expected.bytes} bytes) |`);
    expect(r.summary).toContain(`| OMS root | \`sha256:${expected.root}\` |`);
    expect(r.summary).toContain(`| Signer | key ${hint} |`);
    expect(r.summary).toContain(
      `| Provenance | \`${dir}.slsaprovenance1.sigstore.json\` (${GITHUB_BUILD_TYPE}) |`,
    );
    expect(visibleLog(r.stdout, r.stderr)).not.toContain(PASSWORD);
    expect(r.stdout).toContain(`::add-mask::${PASSWORD}\n`);

    const verified = await modelsealCli(['verify', dir, '--key', PUB]);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toBe(
      `verified ${dir}: sha256:${expected.root}, ${expected.files} files, signed by key ${hint}\n`,
    );
    const prov = await modelsealCli(['verify-attestation', dir, '--type', 'slsaprovenance1', '--key', PUB]);
    expect(prov.code, prov.stderr).toBe(0);
    const predicate = JSON.parse(prov.stdout);
    expect(predicate.buildDefinition.buildType).toBe(GITHUB_BUILD_TYPE);
    expect(predicate.runDetails.builder.id).toBe(RUN_IDENTITY);
    expect(predicate.buildDefinition.resolvedDependencies).toContainEqual({
      uri: 's3://acme-data/imdb',
      digest: { sha256: 'ab'.repeat(32) },
      name: 'imdb',
      annotations: { role: 'dataset' },
    });
    const sbom = await modelsealCli(['verify-attestation', dir, '--type', 'cyclonedx', '--key', PUB]);
    expect(sbom.code, sbom.stderr).toBe(0);
    const bom = JSON.parse(sbom.stdout);
    expect(bom.specVersion).toBe('1.6');
    const weights = bom.components
      .flatMap((c: { components?: unknown[] }) => [c, ...(c.components ?? [])])
      .find((c: { name: string }) => c.name === 'weights.bin');
    expect(weights.hashes).toEqual([
      {
        alg: 'SHA-256',
        content: createHash('sha256')
          .update(readFileSync(path.join(dir, 'weights.bin')))
          .digest('hex'),
      },
    ]);
  });

  it('the PEM text of a key, as a secret holds it: signs, and no line of it reaches the log', async () => {
    const dir = model();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pub = path.join(tmp, `pem-${n}.pub`);
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await runAction(
      { 'model-path': dir, key: pem, provenance: 'false', sbom: 'false', 'signature-path': `${dir}.sig` },
      RECORDED_RUN,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toEqual({
      'oms-root': `sha256:${omsRootOf(dir, []).root}`,
      'signature-path': `${dir}.sig`,
    });
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of body) {
      expect(r.stdout).toContain(`::add-mask::${line}\n`);
      expect(visibleLog(r.stdout, r.stderr)).not.toContain(line);
    }
    const v = await modelsealCli(['verify', dir, '--key', pub, '--signature', `${dir}.sig`]);
    expect(v.code, v.stderr).toBe(0);
    expect(existsSync(`${dir}.slsaprovenance1.sigstore.json`)).toBe(false);
  });

  it('a key with the default inputs and no id-token permission: one message naming both ways out, nothing written', async () => {
    const dir = model();
    const r = await runAction({ 'model-path': dir, key: KEY, 'key-password': PASSWORD }, RECORDED_RUN);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "::error title=modelseal MISSING_IDENTITY_TOKEN::error[MISSING_IDENTITY_TOKEN]: the key signs the model, but the provenance (input 'provenance', on by default) reads the workflow identity from the job OIDC token, which this job cannot get (ACTIONS_ID_TOKEN_REQUEST_URL is not set): set 'provenance: false', or add the line 'id-token: write' under 'permissions:'",
    ]);
    expect(existsSync(path.join(dir, 'model.sig'))).toBe(false);
  });

  it("signing again: DEST_EXISTS names the 'overwrite' input (not a CLI flag); overwrite: true replaces it", async () => {
    const dir = model();
    const inputs = {
      'model-path': dir,
      key: KEY,
      'key-password': PASSWORD,
      provenance: 'false',
      sbom: 'false',
    };
    const first = await runAction(inputs, RECORDED_RUN);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const sig = path.join(dir, 'model.sig');
    const before = readFileSync(sig);
    const again = await runAction(inputs, RECORDED_RUN);
    expect(again.code).toBe(1);
    expect(errorLines(again)).toEqual([
      `::error title=modelseal DEST_EXISTS::error[DEST_EXISTS]: signature '${sig}' already exists; set the input 'overwrite: true' to replace it`,
    ]);
    expect(readFileSync(sig)).toEqual(before);
    const replaced = await runAction({ ...inputs, overwrite: 'true' }, RECORDED_RUN);
    expect(replaced.code, replaced.stdout + replaced.stderr).toBe(0);
    expect(readFileSync(sig).equals(before)).toBe(false); // a fresh signature (ECDSA signatures differ)
    const v = await modelsealCli(['verify', dir, '--key', PUB]);
    expect(v.code, v.stderr).toBe(0);
  });

  it('an encrypted key without key-password fails with one annotation naming the input', async () => {
    const dir = model();
    const r = await runAction(
      { 'model-path': dir, key: KEY, provenance: 'false', sbom: 'false' },
      RECORDED_RUN,
    );
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "::error title=modelseal BAD_PASSWORD::error[BAD_PASSWORD]: input 'key' is an encrypted private key: give its password as 'key-password'",
    ]);
    expect(existsSync(path.join(dir, 'model.sig'))).toBe(false);
  });
});

describe('mode: sign keyless', () => {
  it("signs with the job's OIDC token: the CLI verifies signature and provenance for the workflow identity", async () => {
    const dir = model();
    const expected = omsRootOf(dir);
    const gha = stack.requests.gha ?? 0;
    const r = await runAction(
      {
        'model-path': dir,
        'signing-config': stack.signingConfigPath,
        'trusted-root': stack.trustedRootPath,
      },
      tokenEnv,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs['oms-root']).toBe(`sha256:${expected.root}`);
    // one token for Sigstore (audience sigstore), one for the provenance claims (audience nobody)
    expect(stack.requests.gha).toBe(gha + 2);
    const token = unsignedJwt({ ...DEFAULT_GITHUB_CLAIMS, aud: 'sigstore' });
    expect(r.stdout).toContain(`::add-mask::${token}\n`);
    expect(visibleLog(r.stdout, r.stderr)).not.toContain(token);
    const bundle = bundleJson(readFileSync(path.join(dir, 'model.sig'), 'utf8'));
    const logIndex = bundle.verificationMaterial.tlogEntries[0].logIndex;
    expect(r.summary).toContain(`| Signer | ${RUN_IDENTITY} (issuer ${GITHUB_ISSUER}) |`);
    expect(r.summary).toContain(`| Rekor entry | log index ${logIndex} |`);

    const keyless = [
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      RUN_IDENTITY,
      '--certificate-oidc-issuer',
      GITHUB_ISSUER,
    ];
    const v = await modelsealCli(['verify', dir, ...keyless]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toBe(
      `verified ${dir}: sha256:${expected.root}, ${expected.files} files, signed by ${RUN_IDENTITY} (issuer ${GITHUB_ISSUER})\n`,
    );
    const prov = await modelsealCli(['verify-attestation', dir, '--type', 'slsaprovenance1', ...keyless]);
    expect(prov.code, prov.stderr).toBe(0);
    const statement = statementOf(bundleJson(readFileSync(`${dir}.slsaprovenance1.sigstore.json`, 'utf8')));
    expect(statement.subject).toEqual([{ name: path.basename(dir), digest: { sha256: expected.root } }]);
    const other = await modelsealCli([
      'verify',
      dir,
      ...keyless.slice(0, 2),
      '--certificate-identity',
      'https://github.com/octo/other/.github/workflows/release.yml@refs/heads/main',
      '--certificate-oidc-issuer',
      GITHUB_ISSUER,
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^modelseal: error\[IDENTITY_MISMATCH\]/);
  });

  it('without `id-token: write` it fails with one message naming the permission line', async () => {
    const dir = model();
    const r = await runAction({ 'model-path': dir }, RECORDED_RUN);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      `::error title=modelseal MISSING_IDENTITY_TOKEN::error[MISSING_IDENTITY_TOKEN]: keyless signing (no key input) needs the job OIDC token: ${PERMISSION_LINE}`,
    ]);
    expect(r.summary).toContain('<h3>modelseal: failed</h3>');
    expect(existsSync(path.join(dir, 'model.sig'))).toBe(false);
    // with a key: see 'a key with the default inputs and no id-token permission' above
  });

  it('a missing model path fails with one annotation on that path', async () => {
    const missing = path.join(tmp, 'no-such-model');
    const r = await runAction({ 'model-path': missing, key: KEY, 'key-password': PASSWORD }, tokenEnv, tmp);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      `::error title=modelseal NOT_FOUND,file=no-such-model::error[NOT_FOUND]: model '${missing}' does not exist`,
    ]);
  });
});
