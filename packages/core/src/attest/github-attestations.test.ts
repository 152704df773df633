// storeGithubAttestation against a real local HTTP server (127.0.0.1, random port) scripted per
// request: 5xx answers and dropped connections are retried (5 retries, as actions/toolkit), 4xx
// answers are not, the request is GitHub's, and an abort during a backoff stops at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SerializedBundle } from '@sigstore/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeGithubAttestation } from './github-attestations.js';

type Step = number | 'drop';
let script: Step[] = [];
let seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
let server: Server;
let api = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      });
      const step = script.shift() ?? 201;
      if (step === 'drop') {
        req.socket.destroy();
        return;
      }
      res.statusCode = step;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(step < 300 ? { id: 4242 } : { message: `status ${step}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const BUNDLE = { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' } as SerializedBundle;
const store = (steps: Step[], extra: { signal?: AbortSignal; retryDelayMs?: number } = {}) => {
  script = [...steps];
  seen = [];
  return storeGithubAttestation(BUNDLE, {
    repository: 'octo/model',
    token: 'ghs_secret',
    apiUrl: api,
    retryDelayMs: 1,
    ...extra,
  });
};

describe('storeGithubAttestation', () => {
  it("posts {bundle} to the repository's attestations with the token, and returns the id", async () => {
    expect(await store([201])).toEqual({ id: '4242' });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/repos/octo/model/attestations',
        auth: 'Bearer ghs_secret',
        body: JSON.stringify({ bundle: BUNDLE }),
      },
    ]);
  });

  it('retries 5xx answers and dropped connections, then succeeds', async () => {
    expect(await store([500, 'drop', 502, 503, 504, 201])).toEqual({ id: '4242' });
    expect(seen).toHaveLength(6);
  });

  it('gives up after 5 retries (6 requests) with the last status, never the token', async () => {
    const e = store([500, 500, 500, 500, 500, 503, 201]);
    await expect(e).rejects.toMatchObject({
      code: 'ATTESTATION_STORE',
      message: `GitHub's attestation API refused the bundle (503: status 503) at ${api}/repos/octo/model/attestations after 6 tries`,
    });
    await e.catch((err: Error) => expect(err.message).not.toContain('ghs_secret'));
    expect(seen).toHaveLength(6);
  });

  it('a connection dropped on every try: ATTESTATION_STORE "cannot reach" after 6 tries', async () => {
    await expect(store(['drop', 'drop', 'drop', 'drop', 'drop', 'drop'])).rejects.toMatchObject({
      code: 'ATTESTATION_STORE',
      message: expect.stringMatching(
        new RegExp(
          `^cannot reach GitHub's attestation API at ${api}/repos/octo/model/attestations \\(after 6 tries\\): `,
        ),
      ),
    });
    expect(seen).toHaveLength(6);
  });

  it.each([400, 401, 403, 404, 422, 429])('a %i answer is final: one request', async (status) => {
    await expect(store([status, 201])).rejects.toMatchObject({
      code: 'ATTESTATION_STORE',
      message: `GitHub's attestation API refused the bundle (${status}: status ${status}) at ${api}/repos/octo/model/attestations`,
      details: { status },
    });
    expect(seen).toHaveLength(1);
  });

  it('backs off n² units between tries; an abort during the backoff rejects at once with its reason', async () => {
    const started = Date.now();
    await store([500, 500, 201], { retryDelayMs: 40 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40 + 160 - 5);
    const ctl = new AbortController();
    const p = store([500, 201], { retryDelayMs: 60_000, signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error('cancelled by the job')), 50);
    await expect(p).rejects.toThrow('cancelled by the job');
    expect(seen).toHaveLength(1);
  });
});
