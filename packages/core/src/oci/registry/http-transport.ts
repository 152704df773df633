// The raw HTTP layer of the registry client: node:http/https with keep-alive agents, streaming
// request bodies and streaming responses (nothing is buffered here).

import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export type RequestBody = Buffer | Readable | undefined;

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: RequestBody;
  /** Idle socket timeout (ms). */
  timeoutMs?: number;
}

export interface TransportOptions {
  maxSockets: number;
}

/** One pair of keep-alive agents per client; enough sockets for parallel layers. */
export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(opts: TransportOptions) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  }

  /** Send a request; resolves with the response head, whose body the caller must consume or destroy. */
  send(req: RawRequest): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      const mod = isHttps ? https : http;
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
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clientReq.destroy();
        reject(err);
      };
      clientReq.setTimeout(req.timeoutMs ?? 120_000, () => {
        const err = new Error('socket timeout') as NodeJS.ErrnoException;
        err.code = 'ETIMEDOUT';
        fail(err);
      });
      clientReq.on('error', fail);
      clientReq.on('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
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
export async function discardBody(res: http.IncomingMessage): Promise<void> {
  try {
    await readBody(res, 1024 * 1024);
  } catch {
    res.destroy();
  }
}
