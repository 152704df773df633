// The webhook's HTTPS server: POST /mutate and /validate take an AdmissionReview v1 and answer one;
// GET /healthz answers `ok` for probes. A body that is not a review gets a 400 with the reason (the
// API server then applies failurePolicy: Fail), never a crash. Each review has a deadline: the
// `?timeout=` the API server sends, at most `timeoutMs`, less a margin so the answer arrives in time.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ModelsealError } from '../errors.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import { policyVerifier } from '../policy/policy-verifier.js';
import type { BundleVerifier } from '../oms/verifier.js';
import {
  MAX_REVIEW_BYTES,
  malformedReview,
  parseAdmissionReview,
  reviewResponse,
  type AdmissionRequest,
  type AdmissionVerdict,
} from './admission-review.js';
import type { InitContainerOptions } from './model-pod.js';
import { modelVerdicts } from './model-verdicts.js';
import { mutatePod } from './pod-mutation.js';
import { validatePod } from './pod-validation.js';

/** One answered review, for the server's log. Never carries the Pod or credentials. */
export interface ReviewLogEntry {
  endpoint: 'mutate' | 'validate';
  uid?: string;
  namespace?: string;
  /** HTTP status of the answer: 200 for every review answered, 400 for a malformed one. */
  status: number;
  allowed?: boolean;
  message?: string;
  ms: number;
}

/** Options of createAdmissionServer. */
export interface AdmissionServerOptions extends InitContainerOptions, OpenTargetOptions {
  /** PEM certificate (chain) and key the server presents. */
  tls: { cert: string | Buffer; key: string | Buffer };
  /** The ModelPolicy; its mode (enforce/audit) decides whether a denial refuses the Pod. */
  policy: LoadedPolicy;
  /** Verifies signature bundles; default policyVerifier(policy.policy) with the public-good root. */
  verifier?: BundleVerifier;
  /** Longest time a review may take, in ms; default 10 000 (the webhook's default timeoutSeconds). */
  timeoutMs?: number;
  /** How long a digest's verdict is reused, in ms; default 300 000. */
  cacheTtlMs?: number;
  /** How long a tag's digest is reused, in ms; default 10 000. */
  resolveTtlMs?: number;
  /** Called after each review is answered. */
  onReview?: (entry: ReviewLogEntry) => void;
}

/** `10s` / `500ms` / `1m` as the API server writes `?timeout=`, in ms; undefined if unreadable. */
function queryTimeout(url: URL): number | undefined {
  const m = /^(\d+)(ms|s|m)$/.exec(url.searchParams.get('timeout') ?? '');
  return m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000) : undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REVIEW_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(malformedReview(`the body is over ${MAX_REVIEW_BYTES} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * An HTTPS admission webhook server (not yet listening: call `listen`). Never throws for a request:
 * malformed reviews get 400 `{"error":{"code":"MALFORMED_REVIEW","message":...}}`, unknown paths 404,
 * other methods 405, and an unexpected failure 500 (which the API server treats as a denial under
 * failurePolicy: Fail). Throws on creation only for unusable TLS material (Node's own errors).
 */
export function createAdmissionServer(opts: AdmissionServerOptions): Server {
  const {
    tls,
    policy,
    timeoutMs = 10_000,
    cacheTtlMs,
    onReview,
    image,
    policyConfigMap,
    registrySecret,
  } = opts;
  const { plainHttp, credentials, concurrency, timeouts } = opts;
  const verdicts = modelVerdicts({
    policy,
    verifier: opts.verifier ?? policyVerifier(policy.policy),
    ...(cacheTtlMs !== undefined ? { cacheTtlMs } : {}),
    ...(opts.resolveTtlMs !== undefined ? { resolveTtlMs: opts.resolveTtlMs } : {}),
    ...(plainHttp !== undefined ? { plainHttp } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(timeouts !== undefined ? { timeouts } : {}),
  });
  const init: InitContainerOptions = {
    image,
    ...(policyConfigMap !== undefined ? { policyConfigMap } : {}),
    ...(registrySecret !== undefined ? { registrySecret } : {}),
  };
  const auditMode = policy.policy.spec.mode === 'audit';
  const endpoints: Record<string, (r: AdmissionRequest, deadline: number) => Promise<AdmissionVerdict>> = {
    '/mutate': (r, deadline) => mutatePod(r, verdicts, init, deadline),
    '/validate': (r, deadline) => validatePod(r, verdicts, { ...init, auditMode }, deadline),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'https://webhook.invalid');
    if (url.pathname === '/healthz' && req.method === 'GET') return send(res, 200, 'ok\n');
    const endpoint = endpoints[url.pathname];
    if (!Object.hasOwn(endpoints, url.pathname) || !endpoint)
      return send(res, 404, { error: { code: 'NOT_FOUND', message: `no endpoint ${url.pathname}` } });
    if (req.method !== 'POST') return send(res, 405, { error: { code: 'USAGE', message: 'use POST' } });
    const name = url.pathname.slice(1) as ReviewLogEntry['endpoint'];
    const budget = Math.min(timeoutMs, queryTimeout(url) ?? timeoutMs);
    const deadline = started + budget - Math.min(1000, budget / 10);
    let review: AdmissionRequest;
    try {
      review = parseAdmissionReview(await readBody(req));
    } catch (e) {
      if (!(e instanceof ModelsealError)) throw e;
      onReview?.({ endpoint: name, status: 400, message: e.message, ms: Date.now() - started });
      return send(res, 400, { error: { code: e.code, message: e.message } });
    }
    const verdict = await endpoint(review, deadline);
    send(res, 200, reviewResponse(review.uid, verdict));
    onReview?.({
      endpoint: name,
      uid: review.uid,
      ...(review.namespace !== undefined ? { namespace: review.namespace } : {}),
      status: 200,
      allowed: verdict.allowed,
      ...(verdict.message !== undefined ? { message: verdict.message } : {}),
      ms: Date.now() - started,
    });
  }

  const server = createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      if (!res.headersSent) send(res, 500, { error: { code: 'INTERNAL', message } });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
