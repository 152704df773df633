// Keyless sign/verify through the CLI (run in this process: ./cli-in-process.ts) against the local Sigstore stack
// (--signing-config / --trusted-root / --identity-token), with every failure mapped to its own code.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GITHUB_CLAIMS,
  GITHUB_ISSUER,
  startSigstoreStack,
  TEST_EMAIL,
  TEST_ISSUER,
  type SigstoreStack,
} from './sigstore/stack.js';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = path.join(repo, 'fixtures/models/sample-model');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-keyless-cli-'));

// A clean environment: no ambient token may leak into these runs.
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(SIGSTORE_ID_TOKEN|ACTIONS_ID_TOKEN_REQUEST_|MODELSEAL_DEBUG)/.test(k),
  ),
);

/** Run the CLI asynchronously: the Sigstore stack lives in this process and must keep serving. */
function modelseal(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliInProcess(args, { cwd: tmp, baseEnv: ENV, env });
}

let stack: SigstoreStack;
let other: SigstoreStack;
let model: string;
let sig: string;

beforeAll(async () => {
  [stack, other] = await Promise.all([startSigstoreStack(), startSigstoreStack()]);
  model = path.join(tmp, 'sample-model');
  cpSync(SAMPLE, model, { recursive: true });
  sig = path.join(tmp, 'sample-model.sig');
  const r = await modelseal([
    'sign',
    model,
    '--signature',
    sig,
    '--signing-config',
    stack.signingConfigPath,
    '--trusted-root',
    stack.trustedRootPath,
    '--identity-token',
    stack.token(),
  ]);
  expect(r.stderr).toContain(
    `signing keylessly as ${TEST_EMAIL} (issuer ${TEST_ISSUER}), token from identity-token`,
  );
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${sig}\n`);
});

afterAll(async () => {
  await Promise.all([stack?.close(), other?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

const verifyArgs = (extra: string[], signature = sig, root = stack.trustedRootPath) => [
  'verify',
  model,
  '--signature',
  signature,
  '--trusted-root',
  root,
  ...extra,
];
const RIGHT = ['--certificate-identity', TEST_EMAIL, '--certificate-oidc-issuer', TEST_ISSUER];

function expectFailure(r: { code: number | null; stderr: string }, exit: number, code: string) {
  expect(r.stderr).toMatch(new RegExp(`^modelseal: error\\[${code}\\]: .+\\n$`, 'm'));
  expect(r.code).toBe(exit);
}

describe('modelseal keyless round trip (local Sigstore stack)', () => {
  it('writes a v0.3 bundle with certificate, a dsse Rekor entry and an RFC 3161 timestamp', () => {
    const b = JSON.parse(readFileSync(sig, 'utf8'));
    expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(Object.keys(b.verificationMaterial).sort()).toEqual([
      'certificate',
      'timestampVerificationData',
      'tlogEntries',
    ]);
    expect(b.verificationMaterial.tlogEntries[0].kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(b.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
    expect(b.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    const stmt = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
    expect(stmt.subject[0]).toEqual({
      name: 'sample-model',
      digest: { sha256: '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7' },
    });
  });

  it('verifies with the right identity and issuer (text and --json)', async () => {
    const r = await modelseal(verifyArgs(RIGHT));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^verified .*sample-model: sha256:143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7, 10 files, signed by dev@example\\.test \\(issuer https://oidc\\.modelseal\\.test\\)\\n$`,
      ),
    );
    const j = await modelseal(verifyArgs([...RIGHT, '--json']));
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.verified).toBe(true);
    expect(out.signer).toMatchObject({ kind: 'keyless', identity: TEST_EMAIL, issuer: TEST_ISSUER });
    expect(out.signer.timestamps.map((t: { kind: string }) => t.kind).sort()).toEqual(['tlog', 'tsa']);
  });

  it('wrong identity -> IDENTITY_MISMATCH, wrong issuer -> ISSUER_MISMATCH (exit 1)', async () => {
    expectFailure(
      await modelseal(
        verifyArgs([
          '--certificate-identity',
          'other@example.test',
          '--certificate-oidc-issuer',
          TEST_ISSUER,
        ]),
      ),
      1,
      'IDENTITY_MISMATCH',
    );
    expectFailure(
      await modelseal(
        verifyArgs([
          '--certificate-identity',
          TEST_EMAIL,
          '--certificate-oidc-issuer',
          'https://accounts.google.com',
        ]),
      ),
      1,
      'ISSUER_MISMATCH',
    );
    expectFailure(
      await modelseal(
        verifyArgs([
          '--certificate-identity',
          TEST_EMAIL,
          '--certificate-oidc-issuer-regexp',
          'https://oidc\\.modelseal',
        ]),
      ),
      1,
      'ISSUER_MISMATCH',
    );
  });

  it('an unanchored-regexp trick fails: dev@example.test never accepts xdev@example.test.evil', async () => {
    const evilModel = path.join(tmp, 'evil-model');
    cpSync(SAMPLE, evilModel, { recursive: true });
    const evilSig = path.join(tmp, 'evil.sig');
    const s = await modelseal([
      'sign',
      evilModel,
      '--signature',
      evilSig,
      '--signing-config',
      stack.signingConfigPath,
      '--identity-token',
      stack.token({ email: 'xdev@example.test.evil', sub: 'xdev@example.test.evil' }),
    ]);
    expect(s.code).toBe(0);
    const v = (extra: string[]) =>
      modelseal([
        'verify',
        evilModel,
        '--signature',
        evilSig,
        '--trusted-root',
        stack.trustedRootPath,
        ...extra,
      ]);
    for (const id of [
      ['--certificate-identity', 'dev@example.test'],
      ['--certificate-identity-regexp', 'dev@example\\.test'],
    ]) {
      expectFailure(await v([...id, '--certificate-oidc-issuer', TEST_ISSUER]), 1, 'IDENTITY_MISMATCH');
    }
    const ok = await v([
      '--certificate-identity-regexp',
      '.*dev@example\\.test\\.evil',
      '--certificate-oidc-issuer',
      TEST_ISSUER,
    ]);
    expect(ok.code).toBe(0);
  });

  it('a tampered model fails (exit 1) while the signature itself still verifies', async () => {
    const tampered = path.join(tmp, 'tampered-model');
    cpSync(model, tampered, { recursive: true });
    writeFileSync(path.join(tampered, 'f0'), 'tampered\n');
    const r = await modelseal([
      'verify',
      tampered,
      '--signature',
      sig,
      '--trusted-root',
      stack.trustedRootPath,
      ...RIGHT,
    ]);
    expectFailure(r, 1, 'TAMPERED_FILE');
    expect(r.stderr).toContain('f0');
  });

  it('a bundle with its Rekor entry removed -> TLOG_MISSING; --insecure-ignore-tlog accepts it on the TSA time, with a warning', async () => {
    const b = JSON.parse(readFileSync(sig, 'utf8'));
    b.verificationMaterial.tlogEntries = [];
    const noTlog = path.join(tmp, 'no-tlog.sig');
    writeFileSync(noTlog, JSON.stringify(b));
    expectFailure(await modelseal(verifyArgs(RIGHT, noTlog)), 1, 'TLOG_MISSING');
    const r = await modelseal(verifyArgs([...RIGHT, '--insecure-ignore-tlog'], noTlog));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'modelseal: warning: transparency-log requirement disabled (--insecure-ignore-tlog)\n',
    );
  });

  it("checked against another stack's trusted root -> UNTRUSTED_CHAIN", async () => {
    expectFailure(await modelseal(verifyArgs(RIGHT, sig, other.trustedRootPath)), 1, 'UNTRUSTED_CHAIN');
  });

  it('a tampered Rekor entry -> TLOG_INVALID; a forged signature -> BAD_SIGNATURE', async () => {
    const b = JSON.parse(readFileSync(sig, 'utf8'));
    b.verificationMaterial.tlogEntries[0].logIndex = String(
      Number(b.verificationMaterial.tlogEntries[0].logIndex) + 7,
    );
    const badTlog = path.join(tmp, 'bad-tlog.sig');
    writeFileSync(badTlog, JSON.stringify(b));
    expectFailure(await modelseal(verifyArgs(RIGHT, badTlog)), 1, 'TLOG_INVALID');
    const c = JSON.parse(readFileSync(sig, 'utf8'));
    const raw = Buffer.from(c.dsseEnvelope.signatures[0].sig, 'base64');
    raw[raw.length - 1] ^= 1;
    c.dsseEnvelope.signatures[0].sig = raw.toString('base64');
    const badSig = path.join(tmp, 'bad-sig.sig');
    writeFileSync(badSig, JSON.stringify(c));
    expectFailure(await modelseal(verifyArgs(RIGHT, badSig)), 1, 'BAD_SIGNATURE');
  });

  it('usage errors (exit 2): no identity, no issuer, --staging without a root', async () => {
    const noId = await modelseal(verifyArgs(['--certificate-oidc-issuer', TEST_ISSUER]));
    expectFailure(noId, 2, 'USAGE');
    expect(noId.stderr).toContain('--certificate-identity');
    expectFailure(await modelseal(verifyArgs(['--certificate-identity', TEST_EMAIL])), 2, 'USAGE');
    expectFailure(await modelseal(['verify', model, '--signature', sig, '--staging', ...RIGHT]), 2, 'USAGE');
    const nothing = await modelseal(['verify', model, '--signature', sig]);
    expect(nothing.stderr).toBe(
      'modelseal: error[USAGE]: say whom to trust: --key FILE, --certificate-chain FILE, or (keyless) --certificate-identity and --certificate-oidc-issuer\n',
    );
    expect(nothing.code).toBe(2);
  });

  it('signing without any token source -> MISSING_IDENTITY_TOKEN naming the options (exit 2), nothing written', async () => {
    const out = path.join(tmp, 'never.sig');
    const r = await modelseal([
      'sign',
      model,
      '--signature',
      out,
      '--signing-config',
      stack.signingConfigPath,
    ]);
    expectFailure(r, 2, 'MISSING_IDENTITY_TOKEN');
    for (const hint of [
      'SIGSTORE_ID_TOKEN',
      'id-token: write',
      'browser',
      '(or sign with a key or a certificate instead)',
    ])
      expect(r.stderr).toContain(hint);
    // core names the option (identityToken); the CLI adds its own flag as the hint
    expect(r.stderr).toMatch(/; pass --identity-token TOKEN\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('signs with SIGSTORE_ID_TOKEN and never prints the token', async () => {
    const token = stack.token({ email: 'env@example.test', sub: 'env@example.test' });
    const out = path.join(tmp, 'env.sig');
    const r = await modelseal(
      ['sign', model, '--signature', out, '--signing-config', stack.signingConfigPath, '--json'],
      {
        SIGSTORE_ID_TOKEN: token,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'signing keylessly as env@example.test (issuer https://oidc.modelseal.test), token from SIGSTORE_ID_TOKEN',
    );
    expect(r.stdout + r.stderr).not.toContain(token.split('.')[1]);
    expect(JSON.parse(r.stdout)).toMatchObject({ signed: true, method: 'keyless', signaturePath: out });
    const v = await modelseal([
      'verify',
      model,
      '--signature',
      out,
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      'env@example.test',
      '--certificate-oidc-issuer',
      TEST_ISSUER,
    ]);
    expect(v.code).toBe(0);
  });

  it('GitHub workflow claim flags: right values pass, a wrong one -> EXTENSION_MISMATCH', async () => {
    const out = path.join(tmp, 'gha.sig');
    const s = await modelseal([
      'sign',
      model,
      '--signature',
      out,
      '--signing-config',
      stack.signingConfigPath,
      '--identity-token',
      stack.githubToken(),
    ]);
    expect(s.code).toBe(0);
    const base = [
      'verify',
      model,
      '--signature',
      out,
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      `https://github.com/${DEFAULT_GITHUB_CLAIMS.job_workflow_ref}`,
      '--certificate-oidc-issuer',
      GITHUB_ISSUER,
      '--certificate-github-workflow-repository',
      'octo/model',
      '--certificate-github-workflow-ref',
      'refs/heads/main',
      '--certificate-github-workflow-trigger',
      'push',
      '--certificate-github-workflow-sha',
      DEFAULT_GITHUB_CLAIMS.sha,
      '--certificate-github-workflow-name',
      'release',
    ];
    const ok = await modelseal(base);
    expect(ok.code).toBe(0);
    const bad = await modelseal([...base, '--certificate-github-workflow-ref', 'refs/heads/feature']);
    expectFailure(bad, 1, 'EXTENSION_MISMATCH');
    expect(bad.stderr).toContain(
      'GitHub workflow ref: certificate has "refs/heads/main", expected "refs/heads/feature" (--certificate-github-workflow-ref)\n',
    );
  });

  it("sign --trusted-root checks the new signature: another instance's root -> UNTRUSTED_CHAIN, nothing written", async () => {
    const out = path.join(tmp, 'wrong-root.sig');
    const r = await modelseal([
      'sign',
      model,
      '--signature',
      out,
      '--signing-config',
      stack.signingConfigPath,
      '--trusted-root',
      other.trustedRootPath,
      '--identity-token',
      stack.token(),
    ]);
    expectFailure(r, 1, 'UNTRUSTED_CHAIN');
    expect(existsSync(out)).toBe(false);
  });

  it('--help teaches keyless usage', async () => {
    const sign = await modelseal(['sign', '--help']);
    expect(sign.code).toBe(0);
    expect(sign.stdout).toContain('--signing-config <file>');
    expect(sign.stdout).toContain('Token sources, in order: --identity-token, SIGSTORE_ID_TOKEN');
    const verify = await modelseal(['verify', '--help']);
    expect(verify.stdout).toContain('--certificate-identity-regexp <regexp>');
    expect(verify.stdout).toContain('--insecure-ignore-tlog');
    expect(verify.stdout).toContain(
      "--certificate-identity-regexp 'https://github\\.com/octo/model/\\.github/workflows/.*' \\\n",
    );
  });
});
