// Registries that hang, over real sockets, for the network-timeout tests:
// - 'silent': accepts connections, reads requests, never answers;
// - 'trickle': answers a status line, then one header byte every 100 ms, forever;
// - 'stall-body': an HTTP proxy to a real registry that relays the first half of every blob body
//   and then goes silent, and stops reading any request body after its first 64 KiB.
import { createServer as createHttpServer, request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type StallMode = 'silent' | 'trickle' | 'stall-body';

export interface StallingServer {
  /** "127.0.0.1:PORT" */
  host: string;
  /** connections accepted so far */
  connections(): number;
  close(): Promise<void>;
}

export async function startStallingServer(mode: StallMode, upstream?: string): Promise<StallingServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  const track = (socket: Socket): void => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  let server: Server;
  if (mode === 'stall-body') {
    if (!upstream) throw new Error('stall-body needs an upstream registry');
    const [upHost, upPort] = upstream.split(':') as [string, string];
    const http = createHttpServer((req, res) => {
      const isBlobGet = req.method === 'GET' && /\/blobs\/sha256:[0-9a-f]{64}$/.test(req.url ?? '');
      let seen = 0;
      const up = request(
        { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          if (!isBlobGet) return void answer.pipe(res);
          const half = Math.ceil(Number(answer.headers['content-length'] ?? 0) / 2);
          let sent = 0;
          answer.on('data', (c: Buffer) => {
            if (sent >= half) return;
            const part = c.subarray(0, half - sent);
            sent += part.length;
            res.write(part); // and then nothing more: the body stalls
          });
        },
      );
      up.on('error', () => res.destroy());
      req.on('data', (c: Buffer) => {
        seen += c.length;
        if (!up.write(c)) req.pause();
        if (seen >= 64 * 1024) req.pause(); // a stalled upload: never read the rest
      });
      up.on('drain', () => seen < 64 * 1024 && req.resume());
      req.on('end', () => up.end());
    });
    http.on('connection', track);
    server = http;
  } else {
    server = createServer((socket) => {
      track(socket);
      socket.once('data', () => {
        if (mode !== 'trickle') return;
        socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
        const timer = setInterval(() => socket.write('a'), 100);
        timers.add(timer);
        socket.on('close', () => clearInterval(timer));
      });
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    connections: () => accepted,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
