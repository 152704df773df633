// Registries that misbehave over real sockets, for the reliability tests (issue 22):
// - silent: accepts connections and reads requests, never answers;
// - trickle: answers a status line, then one header byte every `everyMs`, forever;
// - slowBlob: a tiny registry whose manifest answers at once and whose blob bodies arrive at a
//   chosen rate (bytes per tick), honouring Range so a resumed download can continue.
import { createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HostileServer {
  /** "127.0.0.1:PORT" */
  host: string;
  /** connections accepted so far */
  connections(): number;
  /** connections currently open (closed by the client or the server) */
  open(): number;
  /** requests seen (request lines), in order */
  requests: string[];
  close(): Promise<void>;
}

function tracker() {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  return {
    sockets,
    timers,
    accepted: () => accepted,
    track(socket: Socket): void {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    },
    async close(server: Server): Promise<void> {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw TCP server that never answers ('silent') or trickles one header byte every `everyMs`. */
export async function startStallServer(mode: 'silent' | 'trickle', everyMs = 3000): Promise<HostileServer> {
  const t = tracker();
  const requests: string[] = [];
  const server = createServer((socket) => {
    t.track(socket);
    socket.once('data', (c: Buffer) => {
      requests.push(c.toString('latin1').split('\r\n')[0] ?? '');
      if (mode !== 'trickle') return;
      socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      const timer = setInterval(() => socket.write('a'), everyMs);
      t.timers.add(timer);
      socket.on('close', () => clearInterval(timer));
    });
  });
  const host = await listen(server);
  return {
    host,
    connections: t.accepted,
    open: () => t.sockets.size,
    requests,
    close: () => t.close(server),
  };
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A registry serving one blob at `bytesPerTick` every `tickMs` (from the Range start when asked),
 * and any manifest or other path answered 404 at once.
 */
export async function startSlowBlobServer(
  blob: Buffer,
  bytesPerTick: number,
  tickMs: number,
): Promise<HostileServer & { digest: string }> {
  const t = tracker();
  const requests: string[] = [];
  const digest = sha256(blob);
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
    if (req.method !== 'GET' || req.url !== `/v2/ns/m/blobs/${digest}`) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"NOT_FOUND","message":"not here"}]}');
      return;
    }
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const headers: Record<string, string> = { 'content-length': String(blob.length - from) };
    if (from > 0) headers['content-range'] = `bytes ${from}-${blob.length - 1}/${blob.length}`;
    res.writeHead(from > 0 ? 206 : 200, headers);
    let at = from;
    const timer = setInterval(() => {
      const part = blob.subarray(at, at + bytesPerTick);
      at += part.length;
      res.write(part);
      if (at >= blob.length) {
        clearInterval(timer);
        res.end();
      }
    }, tickMs);
    t.timers.add(timer);
    res.on('close', () => clearInterval(timer));
  });
  server.on('connection', (s) => t.track(s));
  const host = await listen(server);
  return {
    host,
    digest,
    connections: t.accepted,
    open: () => t.sockets.size,
    requests,
    close: () => t.close(server),
  };
}
