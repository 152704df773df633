// The raw HTTP layer of the registry client: node:http/https with keep-alive agents, streaming
// request bodies and streaming responses (nothing is buffered here). Three timeouts bound every
// request: connecting, waiting for the response headers once the request is sent, and silence on
// the socket at any time (a stalled upload or a body that stops mid-way).

import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import https from 'node:https';
import { http } from '../../node-http.js';
import type { Readable } from 'node:stream';

export type RequestBody = Buffer | Readable | undefined;

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: RequestBody;
}

/** How long each phase of a request may take, in ms. */
export interface NetworkTimeouts {
  /** TCP (and TLS) connection set-up */
  connectMs: number;
  /** from the end of the request to the end of the response headers (trickled headers included) */
  headersMs: number;
  /** no byte sent or received on the socket (request body, response body) */
  idleMs: number;
}

/** connect 30 s, response headers 60 s, idle socket 60 s. */
export const DEFAULT_NETWORK_TIMEOUTS: Readonly<NetworkTimeouts> = {
  connectMs: 30_000,
  headersMs: 60_000,
  idleMs: 60_000,
};

export type TimeoutPhase = 'connect' | 'headers' | 'idle';

/** A request phase took too long; `code` is ETIMEDOUT, so callers treat it as a network error. */
export class TransportTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly phase: TimeoutPhase,
    readonly ms: number,
  ) {
    super(`${phase} timeout after ${ms} ms`);
    this.name = 'TransportTimeoutError';
  }
}

export interface TransportOptions {
  maxSockets: number;
  timeouts?: Partial<NetworkTimeouts>;
}

/** One pair of keep-alive agents per client; enough sockets for parallel layers. */
export class HttpTransport {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: https.Agent;
  readonly timeouts: NetworkTimeouts;

  constructor(opts: TransportOptions) {
    this.timeouts = { ...DEFAULT_NETWORK_TIMEOUTS, ...opts.timeouts };
    this.httpAgent = new (http().Agent)({ keepAlive: true, maxSockets: opts.maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  }

  /** Send a request; resolves with the response head, whose body the caller must consume or destroy. */
  send(req: RawRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      const mod = isHttps ? https : http();
      const headers: Record<string, string> = { ...req.headers };
      if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length);
      else if (
        req.body === undefined &&
        req.method !== 'GET' &&
        req.method !== 'HEAD' &&
        headers['content-length'] === undefined
      ) {
        headers['content-length'] = '0';
      }
      const clientReq = mod.request(req.url, {
        method: req.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      const t = this.timeouts;
      let settled = false;
      let response: IncomingMessage | undefined;
      const timers = new Map<TimeoutPhase, NodeJS.Timeout>();
      const stop = (phase: TimeoutPhase): void => {
        clearTimeout(timers.get(phase));
        timers.delete(phase);
      };
      const stopAll = (): void => {
        for (const timer of timers.values()) clearTimeout(timer);
        timers.clear();
      };
      const fail = (err: Error): void => {
        stopAll();
        if (settled) return;
        settled = true;
        clientReq.destroy();
        reject(err);
      };
      const timeout = (phase: TimeoutPhase, ms: number): void => {
        // Silence while connecting or while waiting for the answer is named after that phase.
        const named = phase === 'idle' && !settled ? ([...timers.keys()][0] ?? phase) : phase;
        const err = new TransportTimeoutError(named, ms);
        if (!settled) return fail(err);
        // After the headers: the body stalled. Its reader sees the error.
        response?.destroy(err);
        clientReq.destroy();
      };
      const start = (phase: TimeoutPhase, ms: number): void => {
        stop(phase);
        timers.set(
          phase,
          setTimeout(() => timeout(phase, ms), ms),
        );
      };
      clientReq.setTimeout(t.idleMs, () => timeout('idle', t.idleMs));
      clientReq.on('socket', (socket) => {
        if (!socket.connecting) return;
        start('connect', t.connectMs);
        socket.once(isHttps ? 'secureConnect' : 'connect', () => stop('connect'));
      });
      clientReq.on('finish', () => start('headers', t.headersMs));
      clientReq.on('error', fail);
      clientReq.on('response', (res) => {
        stopAll();
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        response = res;
        resolve(res);
      });
      const body = req.body;
      if (body === undefined) clientReq.end();
      else if (Buffer.isBuffer(body)) clientReq.end(body);
      else {
        body.on('error', (err) => fail(err));
        body.pipe(clientReq);
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Read a (small) body fully, refusing more than `limit` bytes. */
export async function readBody(res: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const piece of res as AsyncIterable<Buffer | string>) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    total += chunk.length;
    if (total > limit) {
      res.destroy();
      throw Object.assign(new Error(`response body larger than ${limit} bytes`), { code: 'BODY_TOO_LARGE' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drain and discard a response body so the socket can be reused. */
export async function discardBody(res: IncomingMessage): Promise<void> {
  try {
    await readBody(res, 1024 * 1024);
  } catch {
    res.destroy();
  }
}
