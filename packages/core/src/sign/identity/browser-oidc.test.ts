// The interactive OIDC login against a small OIDC provider on a real socket: authorization URL, PKCE
// S256, loopback redirect, state and nonce checks, and the code exchange.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationURL, browserOidcToken, pkcePair } from './browser-oidc.js';

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

let idp: Server;
let issuer: string;
const seen: { auth?: URL; token?: URLSearchParams } = {};
let tamperState = false;
/** When set, the IdP puts this nonce into the ID token instead of the one it was sent. */
let forgedNonce: string | undefined;

beforeAll(async () => {
  const pending = new Map<string, { challenge: string; nonce: string; redirect: string }>();
  idp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = url.pathname.replace(/^\/auth/, '');
    if (route === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
        }),
      );
      return;
    }
    if (route === '/authorize') {
      seen.auth = url;
      const code = `code-${pending.size}`;
      const redirect = url.searchParams.get('redirect_uri') as string;
      pending.set(code, {
        challenge: url.searchParams.get('code_challenge') as string,
        nonce: url.searchParams.get('nonce') as string,
        redirect,
      });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', tamperState ? 'forged' : (url.searchParams.get('state') as string));
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (route === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        seen.token = form;
        const p = pending.get(form.get('code') ?? '');
        const verifierOk =
          p &&
          createHash('sha256')
            .update(form.get('code_verifier') ?? '')
            .digest('base64url') === p.challenge;
        if (
          !p ||
          !verifierOk ||
          form.get('redirect_uri') !== p.redirect ||
          form.get('grant_type') !== 'authorization_code'
        ) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id_token: jwt({
              iss: issuer,
              email: 'person@example.test',
              email_verified: true,
              nonce: forgedNonce ?? p.nonce,
            }),
          }),
        );
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/auth`;
});
afterAll(async () => {
  idp.closeAllConnections();
  await new Promise<void>((r) => idp.close(() => r()));
});

/** Plays the browser: follows the authorization URL and its redirect to the loopback listener. */
const browser = (url: string) => {
  void fetch(url, { redirect: 'follow' })
    .then((r) => r.text())
    .catch(() => {});
};

describe('browser OIDC login', () => {
  it('builds the authorization URL with PKCE S256, state and nonce', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    const url = authorizationURL({
      authorizationEndpoint: 'https://oauth2.sigstore.dev/auth/auth',
      clientId: 'sigstore',
      redirectURI: 'http://localhost:4711/auth/callback',
      codeChallenge: challenge,
      state: 'st',
      nonce: 'nn',
    });
    expect(url.origin + url.pathname).toBe('https://oauth2.sigstore.dev/auth/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'sigstore',
      redirect_uri: 'http://localhost:4711/auth/callback',
      scope: 'openid email',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st',
      nonce: 'nn',
    });
  });

  it('logs in through discovery, the loopback redirect and the PKCE code exchange', async () => {
    const lines: string[] = [];
    const token = await browserOidcToken({
      issuer,
      clientId: 'modelseal-test',
      openBrowser: browser,
      log: (l) => lines.push(l),
      timeoutMs: 10_000,
    });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims.email).toBe('person@example.test');
    expect(seen.auth?.searchParams.get('client_id')).toBe('modelseal-test');
    expect(seen.auth?.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
    expect(seen.token?.get('client_id')).toBe('modelseal-test');
    expect(lines.join('\n')).toContain(seen.auth?.href);
  });

  it('rejects a redirect whose state does not match (CSRF)', async () => {
    tamperState = true;
    try {
      await expect(
        browserOidcToken({
          issuer,
          clientId: 'sigstore',
          openBrowser: browser,
          log: () => {},
          timeoutMs: 10_000,
        }),
      ).rejects.toMatchObject({
        code: 'MISSING_IDENTITY_TOKEN',
        message: 'browser login returned a mismatched state (possible CSRF)',
      });
    } finally {
      tamperState = false;
    }
  });

  it('rejects an ID token whose nonce is not the one sent (replayed token)', async () => {
    forgedNonce = 'replayed-nonce';
    try {
      await expect(
        browserOidcToken({
          issuer,
          clientId: 'sigstore',
          openBrowser: browser,
          log: () => {},
          timeoutMs: 10_000,
        }),
      ).rejects.toMatchObject({
        code: 'SIGSTORE_SERVICE',
        message: 'the ID token from the browser login has the wrong nonce',
      });
    } finally {
      forgedNonce = undefined;
    }
  });
});
