// One registry connection context: builds URLs, attaches auth, retries connection errors, 429 and
// 5xx with backoff (honouring Retry-After), follows redirects and maps failures to RegistryError.

import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { isModelsealError, RegistryError } from '../../errors.js';
import { RegistryAuthenticator } from './authenticator.js';
import type { CredentialSource, RegistryCredentials } from './credentials.js';
import {
  discardBody,
  HttpTransport,
  TransportTimeoutError,
  type MinimumRate,
  type NetworkTimeouts,
} from './http-transport.js';
import { errorFromResponse, networkError, type RequestContext } from './registry-error.js';
import {
  backoffDelay,
  isNetworkError,
  isRetryableStatus,
  mayRetry,
  parseRetryAfter,
  sleep,
  type RetryPolicy,
} from './retry-policy.js';

/** What the client saw, for progress/debug output and tests (never headers or bodies). */
export interface ResponseEvent {
  method: string;
  /** Path and query of the request URL. */
  path: string;
  status: number;
}

export interface SessionOptions {
  registry: string;
  baseUrl: string;
  credentials: RegistryCredentials | CredentialSource | undefined;
  retry: RetryPolicy;
  maxSockets: number;
  userAgent: string;
  /** per-phase network timeouts (default DEFAULT_NETWORK_TIMEOUTS) */
  timeouts?: Partial<NetworkTimeouts>;
  onResponse?: (event: ResponseEvent) => void;
  /** aborts every request of this session at once (sockets destroyed, backoff sleeps cut short) */
  signal?: AbortSignal;
}

export interface SessionRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the registry ("/v2/...") or an absolute URL (upload Location). */
  url: string | URL;
  headers?: Record<string, string>;
  /** A Buffer is replayed on retry; a stream is sent once (the caller retries the whole operation). */
  body?: Buffer | Readable;
  scopes: readonly string[];
  ctx: RequestContext;
  /** Statuses returned to the caller; anything else becomes a RegistryError. */
  ok: readonly number[];
  /**
   * The answer is a blob body of any size: no operation deadline on it, a minimum body rate
   * instead. A request body (upload) must be taken at that same minimum rate; one over 64 KiB (a
   * stream or a chunk) has no operation deadline. Otherwise a request (and reading its answer)
   * must finish within `operationMs`, all retries included.
   */
  streamsAnswer?: boolean;
}

export class RegistrySession {
  readonly transport: HttpTransport;
  readonly auth: RegistryAuthenticator;
  /** Number of retried attempts so far (observability). */
  retries = 0;

  constructor(readonly opts: SessionOptions) {
    this.transport = new HttpTransport({ maxSockets: opts.maxSockets, timeouts: opts.timeouts });
    this.auth = new RegistryAuthenticator(
      opts.registry,
      opts.credentials,
      this.transport,
      opts.userAgent,
      opts.baseUrl.startsWith('http:'),
    );
  }

  resolveUrl(url: string | URL): URL {
    return url instanceof URL ? url : new URL(url, this.opts.baseUrl);
  }

  /** Send a request; resolves with a response whose status is in `req.ok` (caller consumes the body). */
  async request(req: SessionRequest): Promise<IncomingMessage> {
    const replayable = req.body === undefined || Buffer.isBuffer(req.body);
    const policy = this.opts.retry;
    const limits = this.transport.timeouts;
    const signal = this.opts.signal;
    let authRetried = false;
    const startedAt = Date.now();
    // A blob going up (a stream or a chunk) is paced by its rate, not by the small-request deadline.
    const sendsBlob = !replayable || (Buffer.isBuffer(req.body) && req.body.length > SMALL_BODY);
    const deadline =
      !sendsBlob && !req.streamsAnswer
        ? { at: startedAt + limits.operationMs, ms: limits.operationMs }
        : undefined;
    const rate = { bytesPerSecond: limits.minBytesPerSecond, windowMs: limits.rateWindowMs };
    const pace: Limits = {
      ...(deadline ? { deadline } : {}),
      ...(req.streamsAnswer ? { minRate: rate } : {}),
      ...(req.body !== undefined ? { minSendRate: rate } : {}),
      ...(signal ? { signal } : {}),
    };
    // A host that let a request time out gets one more chance within this operation, not four.
    const timedOut = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const inTime = deadline === undefined || Date.now() < deadline.at;
      const canRetry = replayable && inTime && mayRetry(policy, attempt, startedAt);
      const authorization = await this.auth.authorization(req.scopes, pace);
      let res: IncomingMessage;
      try {
        res = await this.sendFollowingRedirects(req, authorization, pace);
      } catch (e) {
        if (!replayable) (req.body as Readable).destroy();
        if (isModelsealError(e)) throw e;
        if (signal?.aborted) throw signal.reason;
        const again = e instanceof TransportTimeoutError ? retriesAfterTimeout(e, timedOut) : true;
        if (isNetworkError(e) && canRetry && again) {
          this.retries++;
          await this.pause(backoffDelay(policy, attempt), deadline?.at);
          continue;
        }
        throw networkError(e, req.ctx, attempt + 1);
      }
      const status = res.statusCode ?? 0;
      if (this.opts.onResponse)
        this.opts.onResponse({ method: req.method, path: eventPath(this.resolveUrl(req.url)), status });
      if (req.ok.includes(status)) return res;
      // A refused streamed upload: stop reading its source (the caller restarts from scratch).
      if (!replayable) (req.body as Readable).destroy();
      if (status === 401 && !authRetried) {
        authRetried = true;
        const retry = await this.auth.handleChallenge(
          header(res, 'www-authenticate'),
          req.scopes,
          authorization,
          pace,
        );
        if (retry && replayable) {
          await discardBody(res);
          attempt--;
          continue;
        }
      }
      if (isRetryableStatus(status) && canRetry) {
        const wait = parseRetryAfter(header(res, 'retry-after')) ?? backoffDelay(policy, attempt);
        await discardBody(res);
        this.retries++;
        await this.pause(wait, deadline?.at);
        continue;
      }
      throw await errorFromResponse(res, req.ctx);
    }
  }

  /** Sleep `ms` (never past `until`), cut short by the session's signal. */
  private async pause(ms: number, until: number | undefined): Promise<void> {
    const wait = until === undefined ? ms : Math.max(0, Math.min(ms, until - Date.now()));
    await sleep(wait, this.opts.signal);
  }

  private async sendFollowingRedirects(
    req: SessionRequest,
    authorization: string | undefined,
    pace: Limits,
  ): Promise<IncomingMessage> {
    let url = this.resolveUrl(req.url);
    // Credentials go only to the registry itself, never to another origin (upload hosts, blob storage redirects).
    const origin = new URL(this.opts.baseUrl).origin;
    for (let hop = 0; hop < 6; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers };
      if (authorization && url.origin === origin) headers.authorization = authorization;
      const res = await this.transport.send({ method: req.method, url, headers, body: req.body, ...pace });
      const status = res.statusCode ?? 0;
      const location = header(res, 'location');
      if (
        (req.method === 'GET' || req.method === 'HEAD') &&
        [301, 302, 303, 307, 308].includes(status) &&
        location
      ) {
        await discardBody(res);
        url = new URL(location, url);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') {
          throw new RegistryError(
            'REGISTRY',
            `registry ${this.opts.registry} redirected ${req.ctx.action} to an unsupported ${url.protocol} URL`,
          );
        }
        continue;
      }
      return res;
    }
    throw new RegistryError(
      'REGISTRY',
      `registry ${this.opts.registry} redirected too often during ${req.ctx.action}`,
    );
  }

  close(): void {
    this.transport.close();
  }
}

/** Request bodies up to this size (manifests, tokens) are small requests under the operation deadline. */
const SMALL_BODY = 64 * 1024;

/** The limits one operation passes to each of its requests. */
export interface Limits {
  deadline?: { at: number; ms: number };
  minRate?: MinimumRate;
  minSendRate?: MinimumRate;
  signal?: AbortSignal;
}

/**
 * Whether a request that timed out may be tried again: never after the operation's deadline, and
 * only once per host (a host that stalled twice is not given three more minutes).
 */
function retriesAfterTimeout(err: TransportTimeoutError, timedOut: Set<string>): boolean {
  if (err.phase === 'deadline') return false;
  const host = err.facts?.host ?? '';
  if (timedOut.has(host)) return false;
  timedOut.add(host);
  return true;
}

export function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function eventPath(url: URL): string {
  const copy = new URL(url);
  copy.searchParams.delete('_state');
  return copy.pathname + copy.search;
}
