// Where the keyless identity token comes from, in order: --identity-token, SIGSTORE_ID_TOKEN, GitHub
// Actions ambient OIDC (served by the local stack over HTTP), then a browser login; none -> MISSING_IDENTITY_TOKEN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keylessSigner } from '../packages/core/src/sign/keyless.js';
import {
  pickTokenSource,
  resolveIdentityToken,
  MISSING_TOKEN_HELP,
} from '../packages/core/src/sign/identity/token-sources.js';
import { keylessVerifier } from '../packages/core/src/verify/sigstore-verifier.js';
import {
  DEFAULT_GITHUB_CLAIMS,
  GITHUB_ISSUER,
  startSigstoreStack,
  TEST_ISSUER,
  type SigstoreStack,
} from './sigstore/stack.js';
import { rejectionOf } from './rejection.js';

let stack: SigstoreStack;
beforeAll(async () => {
  stack = await startSigstoreStack();
});
afterAll(async () => {
  await stack?.close();
});

const tok = (who: string) => stack.token({ email: who, sub: who });
const gha = () => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.ghaTokenURL}?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.ghaRequestToken,
});

describe('identity token sources', () => {
  it('takes --identity-token first, then SIGSTORE_ID_TOKEN, then GitHub Actions, then the browser', async () => {
    const all = { SIGSTORE_ID_TOKEN: tok('env@example.test'), ...gha() };
    expect(pickTokenSource({ identityToken: tok('flag@example.test'), env: all, interactive: true })).toBe(
      'identity-token',
    );
    expect(pickTokenSource({ env: all, interactive: true })).toBe('SIGSTORE_ID_TOKEN');
    expect(pickTokenSource({ env: gha(), interactive: true })).toBe('github-actions');
    expect(pickTokenSource({ env: {}, interactive: true })).toBe('browser');
    expect(pickTokenSource({ env: {}, interactive: false })).toBeUndefined();
    // a half-configured Actions environment is not a token source
    expect(pickTokenSource({ env: { ACTIONS_ID_TOKEN_REQUEST_URL: stack.ghaTokenURL } })).toBeUndefined();

    expect(await resolveIdentityToken({ identityToken: tok('flag@example.test'), env: all })).toMatchObject({
      source: 'identity-token',
      subject: 'flag@example.test',
      issuer: TEST_ISSUER,
    });
    expect(await resolveIdentityToken({ env: all })).toMatchObject({
      source: 'SIGSTORE_ID_TOKEN',
      subject: 'env@example.test',
    });
  });

  it('fetches the GitHub Actions token over HTTP with audience sigstore and the bearer request token', async () => {
    const before = stack.requests.gha ?? 0;
    const r = await resolveIdentityToken({ env: gha() });
    expect(r).toMatchObject({
      source: 'github-actions',
      subject: DEFAULT_GITHUB_CLAIMS.sub,
      issuer: GITHUB_ISSUER,
    });
    const claims = JSON.parse(Buffer.from(r.token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims.aud).toBe('sigstore');
    expect(stack.requests.gha).toBe(before + 1);
    const denied = resolveIdentityToken({ env: { ...gha(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' } });
    await expect(denied).rejects.toMatchObject({
      code: 'SIGSTORE_SERVICE',
      message: expect.stringContaining('HTTP 401'),
    });
  });

  it('signs keylessly with the ambient GitHub Actions token; the certificate carries the workflow identity', async () => {
    stack.ghaClaims = { ref: 'refs/tags/v1.0.0', event_name: 'release' };
    try {
      const bundle = await keylessSigner({
        signingConfig: stack.signingConfigPath,
        env: gha(),
      }).signStatement(
        Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}'),
        'application/vnd.in-toto+json',
      );
      const json = bundle as unknown as Record<string, unknown>;
      const env = json.dsseEnvelope as {
        payload: string;
        payloadType: string;
        signatures: { sig: string }[];
      };
      const res = await keylessVerifier({
        identity: `https://github.com/${DEFAULT_GITHUB_CLAIMS.job_workflow_ref}`,
        issuer: GITHUB_ISSUER,
        githubClaims: {
          workflowRef: 'refs/tags/v1.0.0',
          workflowTrigger: 'release',
          workflowRepository: 'octo/model',
        },
        trustedRoot: stack.trustedRootPath,
      }).verify({
        json,
        mediaType: json.mediaType as string,
        envelope: {
          payload: Buffer.from(env.payload, 'base64'),
          payloadType: env.payloadType,
          signatures: [],
        },
        source: 'gha.sig',
      });
      expect(res.signer.kind === 'keyless' && res.signer.extensions.sourceRepositoryRef).toBe(
        'refs/tags/v1.0.0',
      );
    } finally {
      stack.ghaClaims = {};
    }
  });

  it('without any source: MISSING_IDENTITY_TOKEN naming every option', async () => {
    const err = await rejectionOf(resolveIdentityToken({ env: {}, interactive: false }));
    expect(err).toMatchObject({
      code: 'MISSING_IDENTITY_TOKEN',
      message: MISSING_TOKEN_HELP,
      remedy: { option: 'identityToken', action: 'set' },
    });
    expect(MISSING_TOKEN_HELP).not.toMatch(/--[a-z]/);
    for (const hint of ['identityToken', 'SIGSTORE_ID_TOKEN', 'permissions: id-token: write', 'browser']) {
      expect(MISSING_TOKEN_HELP).toContain(hint);
    }
    const signErr = await rejectionOf(
      keylessSigner({ signingConfig: stack.signingConfigPath, env: {} }).signStatement(
        Buffer.from('{}'),
        'application/vnd.in-toto+json',
      ),
    );
    expect(signErr).toMatchObject({ code: 'MISSING_IDENTITY_TOKEN' });
    expect(stack.requests.fulcio ?? 0).toBe(1); // only the GitHub Actions signing above reached Fulcio
  });

  it('rejects unusable tokens without ever echoing them', async () => {
    const secret = 'not-a-jwt-SECRET-VALUE';
    const e1 = await rejectionOf(resolveIdentityToken({ identityToken: secret }));
    expect(e1.code).toBe('USAGE');
    expect(e1.message).toBe(
      'the identity token from identity-token is not a JWT (expected three dot-separated parts)',
    );
    const unverified = stack.token({ email_verified: false });
    const e2 = await rejectionOf(resolveIdentityToken({ identityToken: unverified }));
    expect(e2.message).toBe(
      'the identity token from identity-token has an email that its issuer has not verified',
    );
    expect(e2.message).not.toContain(unverified.split('.')[1]);
    const expired = stack.token({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const e3 = await rejectionOf(resolveIdentityToken({ env: { SIGSTORE_ID_TOKEN: expired } }));
    expect(e3.message).toMatch(/^the identity token from SIGSTORE_ID_TOKEN expired at \d{4}-\d\d-\d\dT/);
  });
});
