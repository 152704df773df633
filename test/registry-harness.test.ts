// Checks the real-registry test harness itself: the three auth setups answer the way distribution 2.8 does.

import { describe, it, expect } from 'vitest';
import { startRegistry } from './registry/harness.js';

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

describe('registry harness', () => {
  it('no auth: /v2/ answers 200 with the API version header', async () => {
    const reg = await startRegistry({ auth: 'none' });
    try {
      expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
      const res = await fetch(`${reg.url}/v2/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    } finally {
      await reg.close();
    }
  });

  it('htpasswd: 401 without credentials, 200 with them, 401 with a wrong password', async () => {
    const reg = await startRegistry({ auth: 'htpasswd' });
    try {
      const anon = await fetch(`${reg.url}/v2/`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toBe('Basic realm="modelseal-test"');
      const ok = await fetch(`${reg.url}/v2/`, {
        headers: { authorization: basic(reg.username!, reg.password!) },
      });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${reg.url}/v2/`, {
        headers: { authorization: basic(reg.username!, 'wrong') },
      });
      expect(bad.status).toBe(401);
    } finally {
      await reg.close();
    }
  });

  it('token: a token from the token server opens the repository; the reader cannot push', async () => {
    const reg = await startRegistry({ auth: 'token' });
    try {
      const anon = await fetch(`${reg.url}/v2/ns/model/tags/list`);
      expect(anon.status).toBe(401);
      const challenge = anon.headers.get('www-authenticate')!;
      expect(challenge).toBe(
        `Bearer realm="${reg.tokenServer!.realm}",service="modelseal-test-registry",scope="repository:ns/model:pull"`,
      );
      const tokenUrl = `${reg.tokenServer!.realm}?service=modelseal-test-registry&scope=repository:ns/model:pull,push`;
      const writer = (await (
        await fetch(tokenUrl, { headers: { authorization: basic(reg.username!, reg.password!) } })
      ).json()) as { token: string };
      const upload = await fetch(`${reg.url}/v2/ns/model/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer.token}` },
      });
      expect(upload.status).toBe(202);
      const reader = (await (
        await fetch(tokenUrl, {
          headers: { authorization: basic(reg.readOnlyUsername!, reg.readOnlyPassword!) },
        })
      ).json()) as { token: string };
      const denied = await fetch(`${reg.url}/v2/ns/model/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reader.token}` },
      });
      expect(denied.status).toBe(401);
      const badLogin = await fetch(tokenUrl, { headers: { authorization: basic(reg.username!, 'nope') } });
      expect(badLogin.status).toBe(401);
      expect(reg.tokenServer!.requests.map((r) => r.user)).toEqual([REG_USER, 'reader', REG_USER]);
    } finally {
      await reg.close();
    }
  });
});

const REG_USER = 'modelseal';
