// A TUF repository that serves one target, trusted_root.json, signed with a key made here, reachable
// as https://tuf-repo-cdn.sigstore.dev through an HTTP CONNECT proxy: a TLS server whose certificate
// (for that name) comes from a test CA that the client trusts via NODE_EXTRA_CA_CERTS. Lets
// `--tuf-refresh` run its real TUF client (tuf-js) against real HTTPS without the network.
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';

export const PUBLIC_GOOD_TUF_HOST = 'tuf-repo-cdn.sigstore.dev';

export interface TufMirror {
  /** For the client process: HTTPS_PROXY and NODE_EXTRA_CA_CERTS. */
  env: Record<string, string>;
  /** The repository's version-1 root.json (what a TUF cache directory starts from). */
  rootJson: string;
  /** CONNECT targets the proxy was asked for, and paths the TLS server answered. */
  connects: string[];
  paths: string[];
  close(): Promise<void>;
}

/** Canonical JSON (OLPC) for the ASCII metadata written here: sorted keys, no whitespace. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Serve `trustedRoot` (file bytes) as the target trusted_root.json. `dir` holds the PKI files. */
export async function startTufMirror(dir: string, trustedRoot: Buffer): Promise<TufMirror> {
  mkdirSync(dir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } };
  const keyid = createHash('sha256').update(canonical(key)).digest('hex');
  const expires = new Date(Date.now() + 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const role = { keyids: [keyid], threshold: 1 };
  const signed = (body: Record<string, unknown>) =>
    JSON.stringify({
      signed: body,
      signatures: [{ keyid, sig: sign(null, Buffer.from(canonical(body)), privateKey).toString('hex') }],
    });
  const base = { spec_version: '1.0.31', version: 1, expires };
  const files: Record<string, string | Buffer> = {
    '/1.root.json': signed({
      _type: 'root',
      ...base,
      keys: { [keyid]: key },
      roles: { root: role, targets: role, snapshot: role, timestamp: role },
      consistent_snapshot: false,
    }),
    '/targets.json': signed({
      _type: 'targets',
      ...base,
      targets: {
        'trusted_root.json': {
          length: trustedRoot.length,
          hashes: { sha256: createHash('sha256').update(trustedRoot).digest('hex') },
        },
      },
    }),
    '/targets/trusted_root.json': trustedRoot,
  };
  files['/snapshot.json'] = signed({ _type: 'snapshot', ...base, meta: { 'targets.json': { version: 1 } } });
  files['/timestamp.json'] = signed({
    _type: 'timestamp',
    ...base,
    meta: { 'snapshot.json': { version: 1 } },
  });

  // the test CA and the server certificate for the public-good TUF host (openssl)
  const ca = path.join(dir, 'ca.pem');
  const p = (n: string) => path.join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      p('ca.key'),
      '-out',
      ca,
      '-days',
      '2',
      '-subj',
      '/CN=modelseal TUF test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    ['req', ...ec, '-keyout', p('srv.key'), '-out', p('srv.csr'), '-subj', `/CN=${PUBLIC_GOOD_TUF_HOST}`],
    { stdio: 'ignore' },
  );
  writeFileSync(p('srv.ext'), `subjectAltName=DNS:${PUBLIC_GOOD_TUF_HOST}\nextendedKeyUsage=serverAuth\n`);
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      p('srv.csr'),
      '-CA',
      ca,
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p('srv.pem'),
      '-days',
      '2',
      '-extfile',
      p('srv.ext'),
    ],
    { stdio: 'ignore' },
  );

  const paths: string[] = [];
  const connects: string[] = [];
  const tls = createHttpsServer(
    { key: readFileSync(p('srv.key')), cert: readFileSync(p('srv.pem')) },
    (req, res) => {
      const url = req.url ?? '/';
      paths.push(url);
      const body = files[url];
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    },
  );
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
  const tlsPort = (tls.address() as AddressInfo).port;
  const tunnels = new Set<Socket>();
  const proxy: Server = createHttpProxy(tlsPort, connects, tunnels);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    env: { HTTPS_PROXY: proxyUrl, https_proxy: proxyUrl, NODE_EXTRA_CA_CERTS: ca },
    rootJson: files['/1.root.json'] as string,
    connects,
    paths,
    async close() {
      for (const t of tunnels) t.destroy();
      for (const s of [tls, proxy] as Server[]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}

/** An HTTP proxy that tunnels every CONNECT to the TLS server on `tlsPort`. */
function createHttpProxy(tlsPort: number, connects: string[], tunnels: Set<Socket>): Server {
  const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    connects.push(req.url ?? '');
    tunnels.add(socket as Socket);
    const upstream: Socket = connect(tlsPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return proxy;
}
