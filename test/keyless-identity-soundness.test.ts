// Identity checks that a red-team pass got past, end to end through the CLI process against the
// local Sigstore stack: certificates Fulcio would never issue (two SANs, disagreeing or duplicated
// issuer extensions, a repository on another host), a regexp that tries to close its anchoring
// group, and keyless flags given next to --key or --certificate-chain.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO } from './cli-process.js';
import { oddLeafIssuer, type OddLeaf } from './sigstore/odd-leaf.js';
import {
  GITHUB_ISSUER,
  startSigstoreStack,
  TEST_EMAIL,
  TEST_ISSUER,
  type SigstoreStack,
} from './sigstore/stack.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-keyless-identity-'));
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(SIGSTORE_ID_TOKEN|ACTIONS_ID_TOKEN_REQUEST_|MODELSEAL_DEBUG)/.test(k),
  ),
);

/** The CLI, run asynchronously: the Sigstore stack lives in this process and must keep serving. */
function modelseal(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { cwd: tmp, env: ENV, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

let stack: SigstoreStack;
let model: string;
let n = 0;

beforeAll(async () => {
  stack = await startSigstoreStack({ ct: false });
  model = path.join(tmp, 'model');
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), model, { recursive: true });
});
afterAll(async () => {
  await stack?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Sign the model keylessly with a certificate built from `leaf` (or the mock CA's when undefined). */
async function signWith(leaf: OddLeaf | undefined, token = stack.token()): Promise<string> {
  stack.issueLeaf = leaf && oddLeafIssuer(leaf);
  const sig = path.join(tmp, `m${n++}.sig`);
  const r = await modelseal([
    'sign',
    model,
    '--signature',
    sig,
    '--signing-config',
    stack.signingConfigPath,
    '--identity-token',
    token,
  ]);
  stack.issueLeaf = undefined;
  expect(r.stderr).toMatch(/^modelseal: signing keylessly as /);
  expect(r.code).toBe(0);
  return sig;
}

const verify = (sig: string, policy: string[]) =>
  modelseal([
    'verify',
    model,
    '--signature',
    sig,
    '--trusted-root',
    stack.trustedRootPath,
    '--insecure-ignore-sct',
    ...policy,
  ]);
const EMAIL_POLICY = ['--certificate-identity', TEST_EMAIL, '--certificate-oidc-issuer', TEST_ISSUER];

describe('certificates Fulcio would never issue are rejected (exit 1)', () => {
  it('control: a one-SAN leaf with agreeing .1/.8 from the same issuer verifies', async () => {
    const sig = await signWith({
      san: [{ type: 'email', value: TEST_EMAIL }],
      fulcio: [
        [1, TEST_ISSUER],
        [8, TEST_ISSUER],
      ],
    });
    const r = await verify(sig, EMAIL_POLICY);
    expect(r.stderr).toBe('modelseal: warning: embedded SCT requirement disabled (--insecure-ignore-sct)\n');
    expect(r.stdout).toMatch(
      new RegExp(
        `^verified ${model}: sha256:[0-9a-f]{64}, 10 files, signed by ${TEST_EMAIL} \\(issuer ${TEST_ISSUER}\\)\\n$`,
      ),
    );
    expect(r.code).toBe(0);
  });

  it.each([
    [
      'a URI SAN (evil) before an email SAN (victim)',
      {
        san: [
          { type: 'url', value: 'https://evil.test/x' },
          { type: 'email', value: TEST_EMAIL },
        ],
        fulcio: [[8, TEST_ISSUER]],
      },
      'the certificate names 2 identities in its SAN; Fulcio issues exactly one',
    ],
    [
      'two email SANs, the victim first',
      {
        san: [
          { type: 'email', value: TEST_EMAIL },
          { type: 'email', value: 'evil@evil.test' },
        ],
        fulcio: [[8, TEST_ISSUER]],
      },
      'the certificate names 2 identities in its SAN; Fulcio issues exactly one',
    ],
    [
      'issuer .1 (evil) and .8 (expected) disagree',
      {
        san: [{ type: 'email', value: TEST_EMAIL }],
        fulcio: [
          [1, 'https://evil.test'],
          [8, TEST_ISSUER],
        ],
      },
      `1.3.6.1.4.1.57264.1.1 ("https://evil.test") and 1.3.6.1.4.1.57264.1.8 ("${TEST_ISSUER}") disagree`,
    ],
    [
      '.8 duplicated, the expected issuer first',
      {
        san: [{ type: 'email', value: TEST_EMAIL }],
        fulcio: [
          [8, TEST_ISSUER],
          [8, 'https://evil.test'],
        ],
      },
      'extension 1.3.6.1.4.1.57264.1.8 appears more than once',
    ],
  ] as [string, OddLeaf, string][])('%s', async (_, leaf, why) => {
    const sig = await signWith(leaf);
    const r = await verify(sig, EMAIL_POLICY);
    expect(r.stderr).toContain(
      `modelseal: error[EXTENSION_MISMATCH]: ${sig}: the signing certificate is not one Fulcio issues: ${why}\n`,
    );
    expect(r.code).toBe(1);
  });

  it('a source repository URI on another host never matches --certificate-github-workflow-repository', async () => {
    const workflow = 'https://github.com/octo/model/.github/workflows/release.yml@refs/heads/main';
    const sig = await signWith({
      san: [{ type: 'url', value: workflow }],
      fulcio: [
        [8, GITHUB_ISSUER],
        [12, 'https://gitlab.com/octo/model'],
      ],
    });
    const policy = ['--certificate-identity', workflow, '--certificate-oidc-issuer', GITHUB_ISSUER];
    expect((await verify(sig, policy)).code).toBe(0);
    const r = await verify(sig, [...policy, '--certificate-github-workflow-repository', 'octo/model']);
    expect(r.stderr).toContain(
      'modelseal: error[EXTENSION_MISMATCH]: GitHub workflow repository: certificate has "https://gitlab.com/octo/model", expected "octo/model" (--certificate-github-workflow-repository)\n',
    );
    expect(r.code).toBe(1);
    const ghes = await verify(sig, [
      ...policy,
      '--certificate-github-workflow-repository',
      'octo/model',
      '--certificate-github-server-url',
      'https://gitlab.com',
    ]);
    expect(ghes.code).toBe(0);
  });
});

describe('identity patterns are compiled alone, then anchored', () => {
  it("'nobody)|(?:.*' does not compile on its own: exit 2 USAGE, never a match-all", async () => {
    const sig = await signWith(undefined);
    const r = await verify(sig, [
      '--certificate-identity-regexp',
      'nobody)|(?:.*',
      '--certificate-oidc-issuer',
      TEST_ISSUER,
    ]);
    expect(r.stderr).toMatch(
      /^modelseal: error\[USAGE\]: invalid certificate identity regular expression "nobody\)\|\(\?:\.\*": /,
    );
    expect(r.code).toBe(2);
    const alt = await verify(sig, [
      '--certificate-identity-regexp',
      '(nobody)|(x.*)',
      '--certificate-oidc-issuer',
      TEST_ISSUER,
    ]);
    expect(alt.stderr).toContain(
      `modelseal: error[IDENTITY_MISMATCH]: certificate identity "${TEST_EMAIL}" does not match the expected /^(?:(nobody)|(x.*))$/`,
    );
    expect(alt.code).toBe(1);
  });
});

describe('keyless flags next to --key or --certificate-chain are a usage error (exit 2)', () => {
  it.each([
    [
      ['--key', 'k.pub', '--certificate-identity', 'x', '--certificate-oidc-issuer', 'y'],
      '--certificate-identity',
      '--key',
    ],
    [['--key', 'k.pub', '--certificate-identity-regexp', '.*'], '--certificate-identity-regexp', '--key'],
    [
      ['--certificate-chain', 'ca.pem', '--certificate-oidc-issuer', 'y'],
      '--certificate-oidc-issuer',
      '--certificate-chain',
    ],
    [
      ['--certificate-chain', 'ca.pem', '--certificate-github-workflow-repository', 'octo/model'],
      '--certificate-github-workflow-repository',
      '--certificate-chain',
    ],
    [['--key', 'k.pub', '--insecure-ignore-tlog'], '--insecure-ignore-tlog', '--key'],
  ])('verify %j', async (flags, keyless, mode) => {
    const r = await modelseal(['verify', model, ...flags]);
    expect(r.stderr).toBe(
      `modelseal: error[USAGE]: ${keyless} is a keyless option: it cannot be checked with ${mode}, give one mode only\n`,
    );
    expect(r.code).toBe(2);
  });
});
