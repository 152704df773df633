// An HTTP proxy in front of a real registry that injects faults on demand: drop the connection
// mid-blob, serve wrong bytes, serve an oversized manifest, answer 429/500, or run a hook between
// the registry's answer and its delivery (to simulate a concurrent writer).

import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  status: number;
  /** The Range header the client sent, if any. */
  range?: string;
  /** Which fault (if any) answered or changed this request. */
  fault?: string;
}

type Matcher = { method?: string; path: RegExp };

interface Fault {
  name: string;
  match: Matcher;
  remaining: number;
  /** Either answers the request itself or transforms the upstream response. */
  respond?: (req: IncomingMessage, res: ServerResponse) => void;
  onUpstream?: (upstream: IncomingMessage, res: ServerResponse) => void;
  after?: () => Promise<void>;
}

export interface FaultProxy {
  /** "127.0.0.1:PORT" of the proxy. */
  host: string;
  log: ProxiedRequest[];
  /** Next `count` GETs of the blob: send half the body, then cut the connection. */
  dropBlobMidBody(digest: string, count?: number): void;
  /** Next `count` GETs of the blob: same length, different bytes. */
  corruptBlob(digest: string, count?: number): void;
  /** Next `count` GETs of the manifest reference: same length, different bytes. */
  corruptManifest(reference: string, count?: number): void;
  /** Next `count` GETs of the manifest reference: a body of `size` bytes (declared, or chunked when `declare` is false). */
  oversizedManifest(reference: string, size: number, opts?: { declare?: boolean; count?: number }): void;
  /** Next `count` matching requests get `status` with `headers` (e.g. 429 + Retry-After, 500). */
  failWith(match: Matcher, status: number, headers?: Record<string, string>, count?: number): void;
  /** Next matching upload PUT: read part of the body, then cut the connection. */
  dropUploadMidBody(match: Matcher, count?: number): void;
  /**
   * Next `count` matching uploads: take `afterBytes` of the body, then read `bytesPerTick` every
   * `tickMs` (0: stop reading), never answering; the socket stays open until the client gives up.
   */
  stallUpload(
    match: Matcher,
    opts: { afterBytes: number; bytesPerTick?: number; tickMs?: number; count?: number },
  ): void;
  /** Run `fn` after the registry answered the next matching request, before the client sees it. */
  afterUpstream(match: Matcher, fn: () => Promise<void>): void;
  close(): Promise<void>;
}

/** Relay the upstream answer with its first byte changed (same length). */
function flipFirstByte(upstream: IncomingMessage, res: ServerResponse): void {
  res.writeHead(upstream.statusCode ?? 502, upstream.headers);
  let first = true;
  upstream.on('data', (c: Buffer) => {
    if (first && c.length > 0) {
      const copy = Buffer.from(c);
      copy[0] = copy[0] ^ 0xff;
      first = false;
      res.write(copy);
    } else res.write(c);
  });
  upstream.on('end', () => res.end());
}

function matches(m: Matcher, req: IncomingMessage): boolean {
  return (!m.method || m.method === req.method) && m.path.test(req.url ?? '');
}

export async function startFaultProxy(upstreamHost: string): Promise<FaultProxy> {
  const [upHost, upPort] = upstreamHost.split(':') as [string, string];
  const faults: Fault[] = [];
  const log: ProxiedRequest[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void => {
    const entry: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      status: 0,
      range: req.headers.range,
      fault: fault?.name,
    };
    log.push(entry);
    const up = request(
      { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        entry.status = upstream.statusCode ?? 0;
        const deliver = (): void => {
          if (fault?.onUpstream) {
            fault.onUpstream(upstream, res);
            return;
          }
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        };
        if (fault?.after) {
          // Buffer the (small) answer while the hook runs, then deliver it.
          const chunks: Buffer[] = [];
          upstream.on('data', (c: Buffer) => chunks.push(c));
          upstream.on('end', () => {
            fault.after!().then(
              () => {
                res.writeHead(upstream.statusCode ?? 502, upstream.headers);
                res.end(Buffer.concat(chunks));
              },
              () => res.destroy(),
            );
          });
          return;
        }
        deliver();
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    const idx = faults.findIndex((f) => f.remaining > 0 && matches(f.match, req));
    const fault = idx >= 0 ? faults[idx] : undefined;
    if (fault) fault.remaining--;
    if (fault?.respond) {
      log.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, fault: fault.name });
      req.resume();
      fault.respond(req, res);
      log[log.length - 1].status = res.statusCode;
      return;
    }
    forward(req, res, fault);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const blobPath = (digest: string): RegExp => new RegExp(`^/v2/.+/blobs/${digest}$`);
  const add = (f: Omit<Fault, 'remaining'> & { remaining?: number }): void => {
    faults.push({ remaining: 1, ...f });
  };

  return {
    host: `127.0.0.1:${port}`,
    log,
    dropBlobMidBody(digest, count = 1) {
      add({
        name: 'drop-blob',
        match: { method: 'GET', path: blobPath(digest) },
        remaining: count,
        onUpstream: (upstream, res) => {
          const total = Number(upstream.headers['content-length'] ?? 0);
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          let sent = 0;
          upstream.on('data', (c: Buffer) => {
            if (sent >= total / 2) return;
            const part = c.subarray(0, Math.max(0, Math.min(c.length, Math.ceil(total / 2) - sent)));
            sent += part.length;
            res.write(part);
            if (sent >= total / 2) {
              upstream.destroy();
              setTimeout(() => res.socket?.destroy(), 20);
            }
          });
        },
      });
    },
    corruptBlob(digest, count = 1) {
      add({
        name: 'corrupt-blob',
        match: { method: 'GET', path: blobPath(digest) },
        remaining: count,
        onUpstream: flipFirstByte,
      });
    },
    corruptManifest(reference, count = 1) {
      add({
        name: 'corrupt-manifest',
        match: { method: 'GET', path: new RegExp(`^/v2/.+/manifests/${reference}$`) },
        remaining: count,
        onUpstream: flipFirstByte,
      });
    },
    oversizedManifest(reference, size, opts = {}) {
      add({
        name: 'oversized-manifest',
        match: { method: 'GET', path: new RegExp(`^/v2/.+/manifests/${reference}$`) },
        remaining: opts.count ?? 1,
        respond: (_req, res) => {
          const headers: Record<string, string> = {
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
          };
          if (opts.declare !== false) headers['content-length'] = String(size);
          res.writeHead(200, headers);
          const block = Buffer.alloc(64 * 1024, 0x20);
          let left = size;
          const pump = (): void => {
            while (left > 0) {
              const n = Math.min(left, block.length);
              left -= n;
              if (!res.write(block.subarray(0, n))) {
                res.once('drain', pump);
                return;
              }
            }
            res.end();
          };
          res.on('error', () => undefined);
          pump();
        },
      });
    },
    failWith(match, status, headers = {}, count = 1) {
      add({
        name: `status-${status}`,
        match,
        remaining: count,
        respond: (_req, res) => {
          const code =
            status === 429 ? 'TOOMANYREQUESTS' : status === 404 ? 'BLOB_UPLOAD_UNKNOWN' : 'UNKNOWN';
          const body = JSON.stringify({ errors: [{ code, message: `injected ${status}` }] });
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body);
        },
      });
    },
    dropUploadMidBody(match, count = 1) {
      add({
        name: 'drop-upload',
        match,
        remaining: count,
        respond: (req, res) => {
          let seen = 0;
          req.on('data', (c: Buffer) => {
            seen += c.length;
            if (seen > 1024) res.socket?.destroy();
          });
          req.on('end', () => res.socket?.destroy());
        },
      });
    },
    stallUpload(match, opts) {
      add({
        name: 'stall-upload',
        match,
        remaining: opts.count ?? 1,
        respond: (req) => {
          let allowed = opts.afterBytes;
          let seen = 0;
          const timer =
            opts.bytesPerTick && opts.tickMs
              ? setInterval(() => {
                  allowed += opts.bytesPerTick!;
                  if (seen < allowed) req.resume();
                }, opts.tickMs)
              : undefined;
          req.on('data', (c: Buffer) => {
            seen += c.length;
            if (seen >= allowed) req.pause();
          });
          req.on('close', () => clearInterval(timer));
          req.on('error', () => undefined);
        },
      });
    },
    afterUpstream(match, fn) {
      add({ name: 'after-upstream', match, after: fn });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
