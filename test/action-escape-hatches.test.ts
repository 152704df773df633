// The Action's inputs for the three deliberate relaxations core offers (allowSymlinks,
// ignoreUnsignedFiles, ignoreTlog), run through the bundled Action as a runner runs it: each is off by
// default, the failure it prevents names the Action input (never a CLI flag), and setting the input
// gets past exactly that failure. The ignoreTlog warning names the input too.
import { cpSync, existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines, modelsealCli, RECORDED_RUN, runAction } from './action-process.js';
import { REPO } from './cli-process.js';
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER, type SigstoreStack } from './sigstore/stack.js';

const KEY = path.join(REPO, 'fixtures/keys/test.key');
const PUB = path.join(REPO, 'fixtures/keys/test.pub');
const PASSWORD = 'modelseal-test';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ms-action-hatches-'));
let n = 0;
const model = () => {
  const dir = path.join(tmp, `model-${n++}`);
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), dir, { recursive: true });
  return dir;
};
const KEY_SIGN = { key: KEY, 'key-password': PASSWORD, provenance: 'false', sbom: 'false' };

describe('allow-symlinks (sign)', () => {
  it('a symlink fails with SYMLINK naming the input; allow-symlinks: true signs its target, and it verifies', async () => {
    const dir = model();
    const target = path.join(tmp, 'outside-weights.bin');
    writeFileSync(target, 'weights kept elsewhere\n');
    symlinkSync(target, path.join(dir, 'linked.bin'));
    const refused = await runAction({ 'model-path': dir, ...KEY_SIGN }, RECORDED_RUN);
    expect(refused.code).toBe(1);
    expect(errorLines(refused)).toEqual([
      "::error title=modelseal SYMLINK::error[SYMLINK]: cannot use 'linked.bin': it is a symlink; set the input 'allow-symlinks: true' to hash the file it points to",
    ]);
    expect(refused.stdout).not.toContain('--allow-symlinks');
    expect(existsSync(path.join(dir, 'model.sig'))).toBe(false);

    const signed = await runAction(
      { 'model-path': dir, ...KEY_SIGN, 'allow-symlinks': 'true' },
      RECORDED_RUN,
    );
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
    const v = await modelsealCli(['verify', dir, '--key', PUB, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ verified: true, files: 11 });
    // what the link points to is signed: changing it fails verification
    writeFileSync(target, 'swapped weights\n');
    const swapped = await modelsealCli(['verify', dir, '--key', PUB]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toContain('error[TAMPERED_FILE]');
  });

  it('any other value than true or false is a usage error naming the input', async () => {
    const r = await runAction({ 'model-path': model(), ...KEY_SIGN, 'allow-symlinks': 'yes' }, RECORDED_RUN);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: input 'allow-symlinks' must be true or false, not 'yes'",
    ]);
  });
});

describe('ignore-unsigned-files (verify)', () => {
  it('a file the signature does not list fails with EXTRA_FILE naming the input; the input accepts it', async () => {
    const dir = model();
    const signed = await runAction({ 'model-path': dir, ...KEY_SIGN }, RECORDED_RUN);
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
    writeFileSync(path.join(dir, 'added-later.txt'), 'not signed\n');
    const inputs = { mode: 'verify', 'model-path': dir, 'public-key': PUB };
    const refused = await runAction(inputs, RECORDED_RUN);
    expect(refused.code).toBe(1);
    expect(errorLines(refused)).toHaveLength(1);
    expect(errorLines(refused)[0]).toMatch(
      /::error\[EXTRA_FILE\]: .*added-later\.txt.*; set the input 'ignore-unsigned-files: true' to /,
    );
    expect(refused.outputs.verified).toBe('false');
    const accepted = await runAction({ ...inputs, 'ignore-unsigned-files': 'true' }, RECORDED_RUN);
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.outputs.verified).toBe('true');
    // a signed file changed still fails with the input set: it relaxes extra files only
    writeFileSync(path.join(dir, 'f0'), 'tampered\n');
    const tampered = await runAction({ ...inputs, 'ignore-unsigned-files': 'true' }, RECORDED_RUN);
    expect(tampered.code).toBe(1);
    expect(errorLines(tampered)[0]).toContain('error[TAMPERED_FILE]');
  });

  it('without model-path it is a usage error', async () => {
    const withRef = await runAction(
      {
        mode: 'verify',
        'registry-ref': 'localhost:5000/m:v1',
        'public-key': PUB,
        'ignore-unsigned-files': 'true',
      },
      RECORDED_RUN,
    );
    expect(errorLines(withRef)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: input 'ignore-unsigned-files: true' needs 'model-path'",
    ]);
  });
});

describe('insecure-ignore-tlog (verify, keyless)', () => {
  let stack: SigstoreStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startSigstoreStack({ rekor: false });
    dir = model();
    const s = await modelsealCli([
      'sign',
      dir,
      '--signing-config',
      stack.signingConfigPath,
      '--identity-token',
      stack.token(),
    ]);
    expect(s.code, s.stderr).toBe(0);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a bundle with no Rekor entry fails with TLOG_MISSING naming the input; the input accepts it on the TSA time, with a warning naming the input', async () => {
    const inputs = {
      mode: 'verify',
      'model-path': dir,
      'trusted-root': stack.trustedRootPath,
      'certificate-identity': TEST_EMAIL,
      'certificate-oidc-issuer': TEST_ISSUER,
    };
    const refused = await runAction(inputs, RECORDED_RUN);
    expect(refused.code).toBe(1);
    expect(errorLines(refused)).toHaveLength(1);
    expect(errorLines(refused)[0]).toMatch(
      /::error\[TLOG_MISSING\]: .*; set the input 'insecure-ignore-tlog: true' to /,
    );
    expect(refused.stdout).not.toContain('--insecure-ignore-tlog');
    const accepted = await runAction({ ...inputs, 'insecure-ignore-tlog': 'true' }, RECORDED_RUN);
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.outputs).toMatchObject({
      verified: 'true',
      signer: `${TEST_EMAIL} (issuer ${TEST_ISSUER})`,
    });
    expect(accepted.stdout.split('\n').filter((l) => l.startsWith('::warning'))).toEqual([
      "::warning::transparency-log requirement disabled (the input 'insecure-ignore-tlog: true')",
    ]);
  });

  it('with a public key it is a usage error', async () => {
    const r = await runAction(
      { mode: 'verify', 'model-path': dir, 'public-key': PUB, 'insecure-ignore-tlog': 'true' },
      RECORDED_RUN,
    );
    expect(errorLines(r)).toEqual([
      "::error title=modelseal USAGE::error[USAGE]: input 'insecure-ignore-tlog: true' is for keyless verification ('certificate-identity' with 'certificate-oidc-issuer'); 'public-key' and 'policy' do not take it",
    ]);
  });
});
