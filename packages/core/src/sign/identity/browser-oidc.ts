// Interactive OIDC login for a person at a terminal: authorization code flow with PKCE (S256) and a
// one-shot redirect listener on the loopback interface, as Sigstore's own clients do.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { http } from '../../node-http.js';
import type { AddressInfo } from 'node:net';
import { ModelsealError } from '../../errors.js';
import { readJwtClaims } from './jwt-claims.js';

export const PUBLIC_GOOD_OIDC_ISSUER = 'https://oauth2.sigstore.dev/auth';
export const STAGING_OIDC_ISSUER = 'https://oauth2.sigstage.dev/auth';
export const DEFAULT_OIDC_CLIENT_ID = 'sigstore';

export interface BrowserOidcOptions {
  issuer: string;
  clientId: string;
  /** Opens the login URL; defaults to the platform's browser opener. */
  openBrowser?: (url: string) => void;
  /** Where to tell the user what to do (stderr in the CLI). */
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** A fresh PKCE verifier (43 base64url chars) and its S256 challenge. */
export function pkcePair(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request URL the user's browser is sent to. */
export function authorizationURL(p: {
  authorizationEndpoint: string;
  clientId: string;
  redirectURI: string;
  codeChallenge: string;
  state: string;
  nonce: string;
}): URL {
  const url = new URL(p.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectURI);
  url.searchParams.set('scope', 'openid email');
  url.searchParams.set('code_challenge', p.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', p.state);
  url.searchParams.set('nonce', p.nonce);
  return url;
}

async function getJson(
  url: string,
  init: RequestInit,
  what: string,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new ModelsealError('SIGSTORE_SERVICE', `${what} (${url}) failed: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok || !body) {
    const reason = typeof body?.error === 'string' ? `: ${body.error}` : '';
    throw new ModelsealError('SIGSTORE_SERVICE', `${what} (${url}) answered HTTP ${res.status}${reason}`);
  }
  return body;
}

function defaultOpenBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // the URL is printed as well
  }
}

/** Run the login and return the ID token. */
export async function browserOidcToken(opts: BrowserOidcOptions): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const issuer = opts.issuer.replace(/\/$/, '');
  const discovery = await getJson(`${issuer}/.well-known/openid-configuration`, {}, 'OIDC discovery', 30_000);
  const authorizationEndpoint = discovery.authorization_endpoint;
  const tokenEndpoint = discovery.token_endpoint;
  if (typeof authorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    throw new ModelsealError(
      'SIGSTORE_SERVICE',
      `OIDC discovery for ${issuer} lacks authorization_endpoint/token_endpoint`,
    );
  }

  const pkce = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  // `localhost` is what OIDC providers accept for loopback redirects; it may resolve to 127.0.0.1 or ::1.
  const server = http().createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const server6 = http().createServer();
  await new Promise<void>((resolve) => {
    server6.once('error', () => resolve()); // no IPv6 loopback: IPv4 only
    server6.listen(port, '::1', () => resolve());
  });
  const redirectURI = `http://localhost:${port}/auth/callback`;
  try {
    const code = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ModelsealError('MISSING_IDENTITY_TOKEN', 'browser login timed out')),
        timeoutMs,
      );
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        const u = new URL(req.url ?? '/', redirectURI);
        if (u.pathname !== '/auth/callback') {
          res.writeHead(404).end();
          return;
        }
        const finish = (status: number, text: string) => {
          res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
          clearTimeout(timer);
        };
        if (u.searchParams.get('state') !== state) {
          finish(400, 'modelseal: login state mismatch; start again.');
          reject(
            new ModelsealError(
              'MISSING_IDENTITY_TOKEN',
              'browser login returned a mismatched state (possible CSRF)',
            ),
          );
          return;
        }
        const err = u.searchParams.get('error');
        const got = u.searchParams.get('code');
        if (err || !got) {
          finish(400, 'modelseal: login failed; see the terminal.');
          reject(
            new ModelsealError(
              'MISSING_IDENTITY_TOKEN',
              `browser login failed: ${err ?? 'no authorization code'}`,
            ),
          );
          return;
        }
        finish(200, 'modelseal: signed in. You can close this window.');
        resolve(got);
      };
      server.on('request', onRequest);
      server6.on('request', onRequest);
      const url = authorizationURL({
        authorizationEndpoint,
        clientId: opts.clientId,
        redirectURI,
        codeChallenge: pkce.challenge,
        state,
        nonce,
      });
      log(`Sign in to get a signing certificate; opening your browser at:\n  ${url.href}`);
      (opts.openBrowser ?? defaultOpenBrowser)(url.href);
    });

    const tokens = await getJson(
      tokenEndpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectURI,
          client_id: opts.clientId,
          code_verifier: pkce.verifier,
        }).toString(),
      },
      'OIDC token exchange',
      30_000,
    );
    const idToken = tokens.id_token;
    if (typeof idToken !== 'string')
      throw new ModelsealError(
        'SIGSTORE_SERVICE',
        `OIDC token response from ${tokenEndpoint} has no id_token`,
      );
    const claims = readJwtClaims(idToken, 'the browser login');
    if (claims.nonce !== nonce)
      throw new ModelsealError('SIGSTORE_SERVICE', 'the ID token from the browser login has the wrong nonce');
    return idToken;
  } finally {
    for (const srv of [server, server6]) {
      srv.closeAllConnections();
      srv.close();
    }
  }
}
