// A small distribution "token" auth server for tests: checks Basic credentials and issues RS256 JWTs
// with an x5c header, granting per-user actions on the requested repository scopes.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface TokenUser {
  password: string;
  /** OAuth2 refresh token accepted for this user (POST grant_type=refresh_token). */
  refreshToken?: string;
  /** Actions granted on every repository the user asks for (e.g. ['pull'] or ['pull', 'push']). */
  actions: string[];
}

export interface TokenServerOptions {
  issuer: string;
  service: string;
  /** PEM of the RSA private key signing the tokens. */
  keyPem: string;
  /** PEM of the self-signed certificate put in the x5c header (also the registry's rootcertbundle). */
  certPem: string;
  users: Record<string, TokenUser>;
  /** Actions granted to anonymous requests (default: none). */
  anonymousActions?: string[];
}

export interface TokenRequestLog {
  user: string | undefined;
  /** 'basic' (GET with Basic), 'refresh_token' (OAuth2 POST) or 'anonymous'. */
  via: string;
  scopes: string[];
  service: string | null;
}

export interface RunningTokenServer {
  realm: string;
  /** Every token request received, in order (for asserting scopes). */
  requests: TokenRequestLog[];
  close(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function parseBasic(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

function grant(scopes: string[], allowed: string[]): AccessEntry[] {
  const access: AccessEntry[] = [];
  for (const scope of scopes) {
    // repository:<name>:<actions>; the name may not contain ':' in our tests (no ports in names).
    const parts = scope.split(':');
    if (parts.length !== 3) continue;
    const [type, name, actions] = parts as [string, string, string];
    const granted = actions.split(',').filter((a) => allowed.includes(a) || allowed.includes('*'));
    access.push({ type, name, actions: granted });
  }
  return access;
}

export async function startTokenServer(opts: TokenServerOptions): Promise<RunningTokenServer> {
  const x5c = [new X509Certificate(opts.certPem).raw.toString('base64')];
  const requests: TokenRequestLog[] = [];

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        const entry = Object.entries(opts.users).find(
          ([, u]) => u.refreshToken && u.refreshToken === form.get('refresh_token'),
        );
        requests.push({ user: entry?.[0], via: 'refresh_token', scopes, service: form.get('service') });
        if (form.get('grant_type') !== 'refresh_token' || !entry) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        issue(res, entry[0], entry[1].actions, scopes);
      });
      return;
    }
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean);
    const creds = parseBasic(req);
    requests.push({
      user: creds?.user,
      via: creds ? 'basic' : 'anonymous',
      scopes,
      service: url.searchParams.get('service'),
    });
    let allowed: string[];
    let subject = '';
    if (creds) {
      const user = opts.users[creds.user];
      if (!user || user.password !== creds.password) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }),
        );
        return;
      }
      allowed = user.actions;
      subject = creds.user;
    } else {
      allowed = opts.anonymousActions ?? [];
    }
    issue(res, subject, allowed, scopes);
  };

  const issue = (res: ServerResponse, subject: string, allowed: string[], scopes: string[]): void => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c };
    const claims = {
      iss: opts.issuer,
      sub: subject,
      aud: opts.service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: grant(scopes, allowed),
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(opts.keyPem);
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: 300,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    );
  };

  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
