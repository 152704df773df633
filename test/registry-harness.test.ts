// Checks the real-registry test harness itself: the three auth setups answer the way distribution 2.8 does,
// and the registry keeps answering while the test process is blocked in spawnSync (most CLI tests run
// the CLI that way). The registry logs every 404; when its output went to a pipe nobody drained during
// spawnSync, it blocked once 64 KiB were written (a run of pushes hung at the 9th, on a blob HEAD).

import { spawnSync } from 'node:child_process';
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

  it('answers 400 blob HEADs (well over 64 KiB of its 404 log lines) while this process waits in spawnSync', async () => {
    const reg = await startRegistry({ auth: 'none' });
    try {
      const script = `
        const http = require('node:http');
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        let left = 400;
        const codes = new Set();
        const next = () => {
          if (left-- === 0) { console.log([...codes].join(',')); agent.destroy(); return; }
          const digest = 'sha256:' + String(left).padStart(64, '0');
          http.request({ host: '127.0.0.1', port: ${reg.port}, method: 'HEAD', agent,
            path: '/v2/harness/check/blobs/' + digest }, (res) => { codes.add(res.statusCode); res.resume(); res.on('end', next); }).end();
        };
        next();`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, 'the registry stopped answering').toBeNull();
      expect(r.stdout.trim()).toBe('404');
      expect(reg.logs()).toContain('blob unknown to registry');
      expect(reg.logs().length).toBeGreaterThan(64 * 1024);
    } finally {
      await reg.close();
    }
  }, 60_000);
});

const REG_USER = 'modelseal';
