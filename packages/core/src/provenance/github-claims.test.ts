// githubBuildClaims against a real local token service (node:http on 127.0.0.1) handing out JWTs
// with each issuer form: github.com, a GitHub Enterprise Cloud enterprise, a GHE.com tenant are
// accepted; lookalikes of each are INVALID_PROVENANCE "foreign issuer".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubBuildClaims, isGithubActionsIssuer } from './github-claims.js';

const CLAIMS = {
  ref: 'refs/heads/main',
  sha: 'a'.repeat(40),
  repository: 'octo/model',
  event_name: 'push',
  job_workflow_ref: 'octo/model/.github/workflows/sign.yml@refs/heads/main',
  workflow_ref: 'octo/model/.github/workflows/sign.yml@refs/heads/main',
  repository_id: '1',
  repository_owner_id: '2',
  runner_environment: 'github-hosted',
  run_id: '3',
  run_attempt: '1',
};

let issuer = '';
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((_req, res) => {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${part({ alg: 'RS256' })}.${part({ ...CLAIMS, iss: issuer, aud: 'nobody' })}.c2ln`;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const claimsWith = (iss: string) => {
  issuer = iss;
  return githubBuildClaims({ ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' });
};

const ACCEPTED = [
  'https://token.actions.githubusercontent.com',
  'https://token.actions.githubusercontent.com/octo-enterprise',
  'https://token.actions.githubusercontent.com/e',
  'https://token.actions.acme.ghe.com',
];
const REFUSED = [
  'https://token.actions.githubusercontent.com/',
  'https://token.actions.githubusercontent.com/octo/extra',
  'https://token.actions.githubusercontent.com/-octo',
  'https://token.actions.githubusercontent.com/octo-',
  'https://token.actions.githubusercontent.com/Octo',
  'https://token.actions.githubusercontent.com/octo?x=1',
  'https://token.actions.githubusercontent.com.evil.test/octo',
  'https://token.actions.githubusercontent.comevil/octo',
  'http://token.actions.githubusercontent.com/octo',
  'https://token.actions.githubusercontent.com:443/octo',
  'https://evil.test/token.actions.githubusercontent.com',
  'https://token.actions.evil.ghe.com.test',
];

describe('GitHub Actions token issuers', () => {
  it.each(ACCEPTED)('accepts %s, and the claims carry it', async (iss) => {
    expect(isGithubActionsIssuer(iss)).toBe(true);
    const c = await claimsWith(iss);
    expect(c).toEqual({ serverUrl: 'https://github.com', iss, ...CLAIMS });
  });

  it.each(REFUSED)('refuses %s as a foreign issuer', async (iss) => {
    expect(isGithubActionsIssuer(iss)).toBe(false);
    await expect(claimsWith(iss)).rejects.toMatchObject({
      code: 'INVALID_PROVENANCE',
      message: `the GitHub Actions token has a foreign issuer '${iss}'`,
    });
  });
});
