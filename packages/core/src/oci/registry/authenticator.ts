// Registry authentication: anonymous, Basic, and the Bearer token flow from `WWW-Authenticate`
// (GET with Basic or anonymous, OAuth2 refresh for identity tokens), with a token cache per scope set.

import { RegistryError } from '../../errors.js';
import { mergeScopes, parseChallenge } from './auth-challenge.js';
import type { CredentialSource, RegistryCredentials } from './credentials.js';
import type { IncomingMessage } from 'node:http';
import { HttpTransport, readBody, TransportTimeoutError } from './http-transport.js';
import { networkError } from './registry-error.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

type KnownScheme =
  { scheme: 'none' } | { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service?: string };

export class RegistryAuthenticator {
  private credsPromise?: Promise<RegistryCredentials | undefined>;
  private known: KnownScheme = { scheme: 'none' };
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly registry: string,
    private readonly source: RegistryCredentials | CredentialSource | undefined,
    private readonly transport: HttpTransport,
    private readonly userAgent: string,
    /** The registry itself is reached over plain HTTP (loopback or explicit opt-in). */
    private readonly plainHttp = false,
  ) {}

  private credentials(): Promise<RegistryCredentials | undefined> {
    if (!this.credsPromise) {
      const src = this.source;
      this.credsPromise = typeof src === 'function' ? src(this.registry) : Promise.resolve(src);
    }
    return this.credsPromise;
  }

  /** The Authorization header to send for a request needing `scopes`, if any is known yet. */
  async authorization(scopes: readonly string[], limits: TokenLimits = {}): Promise<string | undefined> {
    const known = this.known;
    if (known.scheme === 'none') return undefined;
    if (known.scheme === 'basic') {
      const creds = await this.credentials();
      return creds?.username !== undefined && creds.password !== undefined
        ? basicHeader(creds.username, creds.password)
        : undefined;
    }
    const key = mergeScopes(scopes).join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now() + 10_000) return `Bearer ${cached.token}`;
    return `Bearer ${await this.fetchToken(known.realm, known.service, key, mergeScopes(scopes), limits)}`;
  }

  /**
   * Learn from a 401 challenge. Returns true when a retry with new authorization makes sense
   * (false: nothing more we can try, the caller reports REGISTRY_AUTH).
   */
  async handleChallenge(
    header: string | undefined,
    scopes: readonly string[],
    sentAuthorization: string | undefined,
    limits: TokenLimits = {},
  ): Promise<boolean> {
    const challenge = parseChallenge(header);
    if (!challenge) return false;
    if (challenge.scheme === 'basic') {
      this.known = { scheme: 'basic' };
      const creds = await this.credentials();
      if (creds?.username === undefined || creds.password === undefined) return false;
      return sentAuthorization === undefined || !sentAuthorization.startsWith('Basic ');
    }
    if (challenge.scheme === 'bearer' && challenge.params.realm) {
      const realm = challenge.params.realm;
      this.known = { scheme: 'bearer', realm, service: challenge.params.service };
      const key = mergeScopes(scopes).join(' ');
      const wanted = mergeScopes([...scopes, ...(challenge.params.scope ? [challenge.params.scope] : [])]);
      this.tokens.delete(key);
      await this.fetchToken(realm, challenge.params.service, key, wanted, limits);
      return true;
    }
    return false;
  }

  private fetchToken(
    realm: string,
    service: string | undefined,
    key: string,
    scopes: string[],
    limits: TokenLimits,
  ): Promise<string> {
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = this.requestToken(realm, service, scopes, limits)
      .then((t) => {
        this.tokens.set(key, t);
        return t.token;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  private async requestToken(
    realm: string,
    service: string | undefined,
    scopes: string[],
    limits: TokenLimits,
  ): Promise<CachedToken> {
    const creds = await this.credentials();
    if (creds?.registryToken) return { token: creds.registryToken, expiresAt: Date.now() + 3600_000 };
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError('REGISTRY_AUTH', `registry ${this.registry} sent an invalid token realm`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RegistryError(
        'REGISTRY_AUTH',
        `registry ${this.registry} sent a token realm with unsupported scheme ${url.protocol}`,
      );
    }
    // Credentials never cross the network in clear to a token service of an HTTPS registry.
    const sendsSecret =
      Boolean(creds?.identityToken) || (creds?.username !== undefined && creds.password !== undefined);
    if (sendsSecret && url.protocol === 'http:' && !this.plainHttp) {
      throw new RegistryError(
        'REGISTRY_AUTH',
        `registry ${this.registry} sent a plain-HTTP token realm ${url.origin}; refusing to send credentials over it`,
      );
    }
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    let method = 'GET';
    let body: Buffer | undefined;
    if (creds?.identityToken) {
      method = 'POST';
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'modelseal',
      });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.username !== undefined && creds.password !== undefined) {
        headers.authorization = basicHeader(creds.username, creds.password);
        url.searchParams.set('account', creds.username);
      }
    }
    // The caller's deadline covers the token request; a token request made outside an operation
    // (a challenge) gets a budget of its own.
    const budget = this.transport.timeouts.operationMs;
    const deadline = limits.deadline ?? { at: Date.now() + budget, ms: budget };
    const ctx = { registry: this.registry, action: `token request to ${url.origin}` };
    const failed = (e: unknown): never => {
      if (limits.signal?.aborted) throw limits.signal.reason;
      if (e instanceof TransportTimeoutError) throw networkError(e, ctx);
      throw new RegistryError(
        'REGISTRY_AUTH',
        `token service ${url.origin} for registry ${this.registry} unreachable: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        { cause: e },
      );
    };
    let res;
    try {
      res = await this.transport.send({
        method,
        url,
        headers,
        body,
        deadline,
        ...(limits.signal ? { signal: limits.signal } : {}),
      });
    } catch (e) {
      failed(e);
    }
    const status = res?.statusCode ?? 0;
    let raw: Buffer;
    try {
      raw = await readBody(res as IncomingMessage, 1024 * 1024);
    } catch (e) {
      if ((e as { code?: string }).code !== 'BODY_TOO_LARGE') failed(e);
      throw new RegistryError(
        'REGISTRY_AUTH',
        `token service ${url.origin} for registry ${this.registry} sent an oversized answer`,
      );
    }
    if (status === 401 || status === 403) {
      const who =
        creds?.username !== undefined ? `the credentials of user "${creds.username}"` : 'anonymous access';
      throw new RegistryError(
        'REGISTRY_AUTH',
        `registry ${this.registry} token service ${url.origin} rejected ${who}: ${status}`,
        { status },
      );
    }
    if (status !== 200) {
      throw new RegistryError(
        'REGISTRY_AUTH',
        `registry ${this.registry} token service ${url.origin} answered ${status}`,
        { status },
      );
    }
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(raw.toString('utf8')) as typeof json;
    } catch {
      throw new RegistryError(
        'REGISTRY_AUTH',
        `registry ${this.registry} token service ${url.origin} sent a non-JSON answer`,
      );
    }
    const token =
      typeof json.token === 'string' && json.token
        ? json.token
        : typeof json.access_token === 'string'
          ? json.access_token
          : '';
    if (!token)
      throw new RegistryError(
        'REGISTRY_AUTH',
        `registry ${this.registry} token service ${url.origin} sent no token`,
      );
    const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
    return { token, expiresAt: Date.now() + expiresIn * 1000 };
  }
}

/** The deadline and abort signal of the operation a token is fetched for. */
export interface TokenLimits {
  deadline?: { at: number; ms: number };
  signal?: AbortSignal;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
