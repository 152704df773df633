// The raw HTTP layer of the registry client: node:http/https with keep-alive agents, streaming
// request bodies and streaming responses (nothing is buffered here). Timeouts bound every request:
// connecting, waiting for the response headers, silence on the socket, an optional absolute deadline
// (a whole small request: headers and body) and an optional minimum body rate (blob downloads,
// and blob uploads: the bytes the socket takes from us). An AbortSignal destroys the socket at
// once, whatever phase the request is in.

import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { http } from '../../node-http.js';
import { Readable } from 'node:stream';

export type RequestBody = Buffer | Readable | undefined;

/** A minimum body rate: fewer than `bytesPerSecond` averaged over `windowMs` aborts the response. */
export interface MinimumRate {
  bytesPerSecond: number;
  windowMs: number;
}

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: RequestBody;
  /** destroys the request (and its response body) at once when aborted */
  signal?: AbortSignal;
  /** absolute time (Date.now() scale) by which headers and body must have arrived, and its budget in ms */
  deadline?: { at: number; ms: number };
  /** once the headers are in: the body must keep this rate (blob downloads) */
  minRate?: MinimumRate;
  /** while the request body is being sent: the socket must take it at this rate (blob uploads) */
  minSendRate?: MinimumRate;
}

/** How long each phase of a request may take, in ms, plus the per-operation budget and body rate. */
export interface NetworkTimeouts {
  /** TCP (and TLS) connection set-up */
  connectMs: number;
  /** from the end of the request to the end of the response headers (trickled headers included) */
  headersMs: number;
  /** no byte sent or received on the socket (request body, response body) */
  idleMs: number;
  /** one registry operation with a small answer (manifest, token, referrers), all its retries included */
  operationMs: number;
  /** a blob body (downloaded or uploaded) slower than this many bytes per second over `rateWindowMs` is aborted */
  minBytesPerSecond: number;
  /** the window over which the blob body rate is measured, both ways */
  rateWindowMs: number;
}

/**
 * connect 30 s, response headers 60 s, idle socket 60 s, a manifest/token/referrers operation 60 s
 * across its retries, blob bodies at least 10 KiB/s over 30 s.
 */
export const DEFAULT_NETWORK_TIMEOUTS: Readonly<NetworkTimeouts> = {
  connectMs: 30_000,
  headersMs: 60_000,
  idleMs: 60_000,
  operationMs: 60_000,
  minBytesPerSecond: 10 * 1024,
  rateWindowMs: 30_000,
};

export type TimeoutPhase = 'connect' | 'headers' | 'idle' | 'deadline' | 'rate' | 'send-rate';

/** What a request had done when it timed out. */
export interface TimeoutFacts {
  /** host:port the socket talked to */
  host: string;
  /** true once the response headers were complete */
  headersDone: boolean;
  /** bytes received on the socket for this request (headers and body) */
  bytesRead: number;
  /** ms from the start of the request (or of the operation, for 'deadline') to the timeout */
  waitedMs: number;
  /** the minimum rate that was not kept (phases 'rate' and 'send-rate') */
  minBytesPerSecond?: number;
  /** request bytes (head and body) the socket had taken when it timed out, and the body's size (phase 'send-rate') */
  sent?: { bytes: number; bodySize?: number };
}

/** A request phase took too long; `code` is ETIMEDOUT, so callers treat it as a network error. */
export class TransportTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly phase: TimeoutPhase,
    readonly ms: number,
    readonly facts?: TimeoutFacts,
  ) {
    super(`${phase} timeout after ${ms} ms`);
    this.name = 'TransportTimeoutError';
  }
}

export interface TransportOptions {
  maxSockets: number;
  timeouts?: Partial<NetworkTimeouts>;
}

/** Received bytes on `socket` so far (0 before it exists). */
function socketBytes(socket: Socket | null | undefined): number {
  return socket?.bytesRead ?? 0;
}

/**
 * Bytes the kernel has taken from `socket` so far: written minus what still waits in the socket's
 * own buffer (a write in flight counts once it completes, hence the slicing of big bodies).
 */
function socketBytesTaken(socket: Socket | null | undefined): number {
  if (!socket) return 0;
  return Math.max(0, (socket.bytesWritten ?? 0) - socket.writableLength);
}

/** Bodies are handed to the socket in slices of this size, so progress is seen slice by slice. */
const SEND_SLICE = 64 * 1024;

/** `body` as a stream of SEND_SLICE slices (no copies). */
function sliced(body: Buffer): Readable {
  function* slices(): Generator<Buffer> {
    for (let at = 0; at < body.length; at += SEND_SLICE) yield body.subarray(at, at + SEND_SLICE);
  }
  return Readable.from(slices(), { objectMode: false });
}

/** One pair of keep-alive agents per client; enough sockets for parallel layers. */
export class HttpTransport {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: https.Agent;
  private readonly inFlight = new Set<ClientRequest>();
  readonly timeouts: NetworkTimeouts;

  constructor(opts: TransportOptions) {
    this.timeouts = { ...DEFAULT_NETWORK_TIMEOUTS, ...opts.timeouts };
    this.httpAgent = new (http().Agent)({ keepAlive: true, maxSockets: opts.maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  }

  /** Send a request; resolves with the response head, whose body the caller must consume or destroy. */
  send(req: RawRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) return reject(abortReason(req.signal));
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
      this.inFlight.add(clientReq);
      const t = this.timeouts;
      const startedAt = Date.now();
      let settled = false;
      let response: IncomingMessage | undefined;
      let socket: Socket | undefined;
      let bytesAtStart = 0;
      let sentAtStart = 0;
      const timers = new Map<TimeoutPhase, NodeJS.Timeout>();
      const stop = (phase: TimeoutPhase): void => {
        clearTimeout(timers.get(phase));
        clearInterval(timers.get(phase));
        timers.delete(phase);
      };
      const stopAll = (): void => {
        for (const phase of [...timers.keys()]) stop(phase);
      };
      const finished = (): void => {
        stopAll();
        req.signal?.removeEventListener('abort', onAbort);
        this.inFlight.delete(clientReq);
      };
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        finished();
        clientReq.destroy();
        reject(err);
      };
      /** End the request with `err`: before the headers the promise rejects; after, the body's reader sees it. */
      const breakOff = (err: Error): void => {
        if (!settled) return fail(err);
        finished();
        response?.destroy(err);
        clientReq.destroy();
      };
      const facts = (since = startedAt): TimeoutFacts => ({
        host: req.url.host,
        headersDone: settled,
        bytesRead: Math.max(0, socketBytes(socket) - bytesAtStart),
        waitedMs: Date.now() - since,
      });
      const timeout = (phase: TimeoutPhase, ms: number): void => {
        // Silence while connecting or while waiting for the answer is named after that phase.
        const named =
          phase === 'idle' && !settled
            ? ([...timers.keys()].find((p) => p === 'connect' || p === 'headers') ?? phase)
            : phase;
        breakOff(new TransportTimeoutError(named, ms, facts()));
      };
      const start = (phase: TimeoutPhase, ms: number): void => {
        stop(phase);
        timers.set(
          phase,
          setTimeout(() => timeout(phase, ms), ms),
        );
      };
      const onAbort = (): void => breakOff(abortReason(req.signal));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.deadline) {
        const { at, ms } = req.deadline;
        const left = Math.max(0, at - Date.now());
        timers.set(
          'deadline',
          setTimeout(() => breakOff(new TransportTimeoutError('deadline', ms, facts(at - ms))), left),
        );
      }
      clientReq.setTimeout(t.idleMs, () => timeout('idle', t.idleMs));
      clientReq.on('socket', (s) => {
        socket = s;
        bytesAtStart = socketBytes(s);
        sentAtStart = socketBytesTaken(s);
        if (!s.connecting) return;
        start('connect', t.connectMs);
        s.once(isHttps ? 'secureConnect' : 'connect', () => stop('connect'));
      });
      clientReq.on('finish', () => {
        stop('send-rate');
        start('headers', t.headersMs);
      });
      clientReq.on('error', fail);
      clientReq.on('response', (res) => {
        stop('connect');
        stop('headers');
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        response = res;
        res.once('close', finished);
        if (req.minRate) watchRate(res, req.minRate, timers, () => socketBytes(socket), breakOff, facts);
        resolve(res);
      });
      const body = req.body;
      if (req.minSendRate && body !== undefined) {
        const bodySize = Buffer.isBuffer(body) ? body.length : Number(headers['content-length']);
        const sent = (): number => socketBytesTaken(socket) - sentAtStart;
        watchSendRate(
          clientReq,
          req.minSendRate,
          timers,
          () => socket,
          sent,
          breakOff,
          () => ({
            ...facts(),
            sent: { bytes: sent(), ...(Number.isFinite(bodySize) ? { bodySize } : {}) },
          }),
        );
      }
      if (body === undefined) clientReq.end();
      else if (Buffer.isBuffer(body) && body.length <= SEND_SLICE) clientReq.end(body);
      else if (Buffer.isBuffer(body)) sliced(body).pipe(clientReq);
      else {
        body.on('error', (err) => fail(err));
        body.pipe(clientReq);
      }
    });
  }

  /** Destroy every request in flight and every pooled socket: nothing this transport holds stays open. */
  close(): void {
    for (const r of this.inFlight) r.destroy();
    this.inFlight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** The signal's reason as an Error (an AbortError DOMException unless the caller gave its own). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Check the body rate every `rate.windowMs`: fewer bytes than the rate allows break the response off
 * with a 'rate' timeout. A window in which the reader, not the network, held things up (the
 * response's buffer is full) does not count.
 */
function watchRate(
  res: IncomingMessage,
  rate: MinimumRate,
  timers: Map<TimeoutPhase, NodeJS.Timeout>,
  received: () => number,
  breakOff: (err: Error) => void,
  facts: () => TimeoutFacts,
): void {
  let mark = received();
  const need = (rate.bytesPerSecond * rate.windowMs) / 1000;
  timers.set(
    'rate',
    setInterval(() => {
      const now = received();
      const got = now - mark;
      mark = now;
      if (got >= need || res.readableLength >= res.readableHighWaterMark) return;
      const seen = { ...facts(), minBytesPerSecond: rate.bytesPerSecond };
      breakOff(new TransportTimeoutError('rate', rate.windowMs, seen));
    }, rate.windowMs),
  );
}

/**
 * Check the upload rate every `rate.windowMs` until the request body is sent: fewer bytes taken by
 * the socket than the rate allows break the request off with a 'send-rate' timeout. A window in
 * which our source, not the network, held things up (nothing waiting in the socket's buffer) does
 * not count. The kernel takes bytes in bursts (up to about a third of its send buffer), so a
 * window much shorter than such a burst at the minimum rate can cut off a registry that keeps it.
 */
function watchSendRate(
  clientReq: ClientRequest,
  rate: MinimumRate,
  timers: Map<TimeoutPhase, NodeJS.Timeout>,
  socket: () => Socket | undefined,
  sent: () => number,
  breakOff: (err: Error) => void,
  facts: () => TimeoutFacts,
): void {
  let mark = sent();
  const need = (rate.bytesPerSecond * rate.windowMs) / 1000;
  timers.set(
    'send-rate',
    setInterval(() => {
      const now = sent();
      const got = now - mark;
      mark = now;
      const waiting = (socket()?.writableLength ?? 0) > 0 || clientReq.writableLength > 0;
      if (got >= need || !waiting) return;
      breakOff(
        new TransportTimeoutError('send-rate', rate.windowMs, {
          ...facts(),
          minBytesPerSecond: rate.bytesPerSecond,
        }),
      );
    }, rate.windowMs),
  );
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
