// --oidc-issuer and --oidc-client-id through the CLI process: `modelseal sign` on a terminal (a pty
// from util-linux `script`) signs in with a browser against a small OIDC provider on a real socket,
// then signs keylessly with the local Sigstore stack. The "browser" is an `xdg-open` on PATH that
// follows the authorization URL and its redirect to modelseal's loopback listener.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO } from './cli-process.js';
import { startSigstoreStack, type SigstoreStack } from './sigstore/stack.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-browser-login-'));
const BROWSER_EMAIL = 'browser-user@example.test';
const CLIENT_ID = 'modelseal-test-client';

let stack: SigstoreStack;
let idp: Server;
let issuer: string;
/** What the provider saw: discovery hits, authorization requests and token requests. */
const seen = { discovery: 0, authorize: [] as URLSearchParams[], token: [] as URLSearchParams[] };

beforeAll(async () => {
  stack = await startSigstoreStack();
  const pending = new Map<string, { challenge: string; nonce: string; redirect: string }>();
  idp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = url.pathname.replace(/^\/realm/, '');
    if (route === '/.well-known/openid-configuration') {
      seen.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
        }),
      );
    } else if (route === '/authorize') {
      seen.authorize.push(url.searchParams);
      const code = `code-${pending.size}`;
      const redirect = url.searchParams.get('redirect_uri') ?? '';
      pending.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        nonce: url.searchParams.get('nonce') ?? '',
        redirect,
      });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
    } else if (route === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        seen.token.push(form);
        const p = pending.get(form.get('code') ?? '');
        const pkceOk =
          p !== undefined &&
          createHash('sha256')
            .update(form.get('code_verifier') ?? '')
            .digest('base64url') === p.challenge;
        if (!p || !pkceOk || form.get('client_id') !== CLIENT_ID || form.get('redirect_uri') !== p.redirect) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        const idToken = stack.token({
          iss: issuer,
          sub: BROWSER_EMAIL,
          email: BROWSER_EMAIL,
          nonce: p.nonce,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id_token: idToken }));
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/realm`;
});

afterAll(async () => {
  idp?.closeAllConnections();
  await new Promise<void>((r) => (idp ? idp.close(() => r()) : r()));
  await stack?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A PATH whose `xdg-open` plays the browser: GET the URL, follow redirects, discard the page. */
function browserPath(): string {
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  const opener = path.join(bin, 'xdg-open');
  writeFileSync(
    opener,
    `#!/bin/sh\nexec '${process.execPath}' -e "fetch(process.argv[1], { redirect: 'follow' }).then((r) => r.text()).catch(() => {})" "$1"\n`,
  );
  chmodSync(opener, 0o755);
  return `${bin}:${process.env.PATH ?? ''}`;
}

/** `modelseal ...args` with stdin and stderr on a pseudo-terminal (async: the stack and IdP live here). */
function onTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(SIGSTORE_ID_TOKEN|ACTIONS_ID_TOKEN_REQUEST_|MODELSEAL_DEBUG)/.test(k))
      env[k] = v;
  env.PATH = browserPath();
  const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: tmp,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r\n/g, '\n') });
    });
  });
}

describe('keyless signing with a browser login', () => {
  it('--oidc-issuer picks the provider and --oidc-client-id is the client it authorizes; the signature verifies as the browser user', async () => {
    const model = path.join(tmp, 'model');
    cpSync(path.join(REPO, 'fixtures/models/sample-model'), model, { recursive: true });
    const sig = path.join(tmp, 'model.sig');
    const r = await onTerminal([
      'sign',
      model,
      '--signature',
      sig,
      '--signing-config',
      stack.signingConfigPath,
      '--oidc-issuer',
      issuer,
      '--oidc-client-id',
      CLIENT_ID,
    ]);
    expect(r.output).toContain(
      `Sign in to get a signing certificate; opening your browser at:\n  ${issuer}/authorize?`,
    );
    expect(r.output).toContain(
      `modelseal: signing keylessly as ${BROWSER_EMAIL} (issuer ${issuer}), token from browser\n`,
    );
    expect(r.code, r.output).toBe(0);
    expect(seen.discovery).toBe(1);
    expect(seen.authorize).toHaveLength(1);
    expect(seen.authorize[0].get('client_id')).toBe(CLIENT_ID);
    expect(seen.authorize[0].get('code_challenge_method')).toBe('S256');
    expect(seen.token).toHaveLength(1);
    expect(seen.token[0].get('client_id')).toBe(CLIENT_ID);
    expect(stack.requests.fulcio).toBe(1);

    const v = await onTerminal([
      'verify',
      model,
      '--signature',
      sig,
      '--trusted-root',
      stack.trustedRootPath,
      '--certificate-identity',
      BROWSER_EMAIL,
      '--certificate-oidc-issuer',
      issuer,
    ]);
    expect(v.code, v.output).toBe(0);
  });
});
