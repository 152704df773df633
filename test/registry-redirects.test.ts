// A registry that redirects blob downloads to separate storage and hands out an upload Location on
// another origin (as CDN-backed registries do): credentials must never leave the registry's origin.
// docker-registry's filesystem driver cannot redirect, so this registry is a small node:http server.

import { describe, it, expect, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { RegistryTarget } from '../packages/core/src/oci/registry/registry-target.js';
import { verifyingStream } from '../packages/core/src/oci/verifying-stream.js';

const AUTH = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(
  handler: (req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('credentials stay on the registry origin', () => {
  it('blob redirects and foreign upload locations get no Authorization header', async () => {
    const blob = randomBytes(100_000);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const storageSeen: Array<{ method: string; auth?: string }> = [];
    let stored: Buffer | undefined;
    const storage = await listen((req, body, res) => {
      storageSeen.push({ method: req.method!, auth: req.headers.authorization });
      if (req.method === 'PUT') {
        stored = body;
        res.writeHead(201).end();
        return;
      }
      res.writeHead(200, { 'content-length': String(blob.length) }).end(blob);
    });
    const registrySeen: string[] = [];
    const registry = await listen((req, _body, res) => {
      registrySeen.push(`${req.method} ${req.url}`);
      if (req.headers.authorization !== AUTH) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      if (req.method === 'POST')
        return void res.writeHead(202, { location: `http://${storage}/upload/1` }).end();
      if (req.method === 'GET') return void res.writeHead(307, { location: `http://${storage}/blob` }).end();
      res.writeHead(500).end();
    });

    const t = new RegistryTarget({
      registry,
      repository: 'ns/model',
      credentials: { username: 'alice', password: 's3cret' },
      retry: { retries: 0 },
    });
    try {
      const desc = { mediaType: 'application/octet-stream', digest, size: blob.length };
      await t.push(desc, { kind: 'stream', open: () => Readable.from([blob]) });
      expect(stored?.equals(blob)).toBe(true);
      const chunks: Buffer[] = [];
      for await (const c of verifyingStream(await t.fetch(desc), desc)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(blob)).toBe(true);
      expect(storageSeen).toEqual([
        { method: 'PUT', auth: undefined },
        { method: 'GET', auth: undefined },
      ]);
      expect(registrySeen.filter((r) => r.startsWith('GET'))).toEqual([`GET /v2/ns/model/blobs/${digest}`]);
    } finally {
      t.close();
    }
  });
});

describe('redirect targets', () => {
  it('a redirect to a non-HTTP URL fails with one clear line instead of "redirected too often"', async () => {
    const registry = await listen(
      (_req, _body, res) => void res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
    );
    const t = new RegistryTarget({ registry, repository: 'ns/m', credentials: {}, retry: { retries: 0 } });
    const desc = { mediaType: 'application/octet-stream', digest: `sha256:${'a'.repeat(64)}`, size: 1 };
    const err = await t.fetch(desc).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    t.close();
    expect(err?.code).toBe('REGISTRY');
    expect(err?.message).toBe(
      `registry ${registry} redirected pull of blob sha256:aaaaaaaaaaaa… from ns/m to an unsupported file: URL`,
    );
  });
});
