import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryAuthenticator } from './authenticator.js';
import { HttpTransport } from './http-transport.js';

// A real token service on 127.0.0.1 that records what reached it.
let server: Server;
let realm: string;
const seen: Array<string | undefined> = [];
const transport = new HttpTransport({ maxSockets: 2 });

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: 'issued' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(async () => {
  transport.close();
  await new Promise((r) => server.close(r));
});

describe('RegistryAuthenticator token realm', () => {
  const creds = { username: 'alice', password: 's3cret-pw' };
  const challenge = () => `Bearer realm="${realm}",service="reg"`;

  it('refuses to send credentials of an HTTPS registry to a plain-HTTP realm, before any byte is sent', async () => {
    const auth = new RegistryAuthenticator('registry.example.com', creds, transport, 'test', false);
    const err = await auth.handleChallenge(challenge(), ['repository:ns/m:pull'], undefined).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe('REGISTRY_AUTH');
    expect(err?.message).toBe(
      `registry registry.example.com sent a plain-HTTP token realm ${new URL(realm).origin}; refusing to send credentials over it`,
    );
    expect(err?.message).not.toContain('s3cret');
    expect(seen).toEqual([]);
  });

  it('asks a plain-HTTP realm anonymously, and with credentials when the registry itself is plain HTTP', async () => {
    const anonymous = new RegistryAuthenticator('registry.example.com', {}, transport, 'test', false);
    expect(await anonymous.handleChallenge(challenge(), ['repository:ns/m:pull'], undefined)).toBe(true);
    const plain = new RegistryAuthenticator('127.0.0.1:5000', creds, transport, 'test', true);
    expect(await plain.handleChallenge(challenge(), ['repository:ns/m:pull'], undefined)).toBe(true);
    expect(await plain.authorization(['repository:ns/m:pull'])).toBe('Bearer issued');
    expect(seen).toEqual([undefined, `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`]);
  });
});
