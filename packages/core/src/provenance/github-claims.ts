// GitHub Actions build claims for provenance, read as actions/attest reads them: an OIDC token with
// audience `nobody` from the runner's token service, plus GITHUB_SERVER_URL. The token's signature is
// not checked here (the runner's own endpoint handed it over); its claims must agree with the runner's
// GITHUB_* variables, so a mismatched token fails instead of going into signed provenance.
import { ModelsealError } from '../errors.js';
import { githubActionsToken, type GithubActionsEnv } from '../sign/identity/github-actions.js';
import { readJwtClaims } from '../sign/identity/jwt-claims.js';
import type { GithubBuildClaims } from './provenance.js';

const REQUIRED = [
  'iss',
  'ref',
  'sha',
  'repository',
  'event_name',
  'job_workflow_ref',
  'workflow_ref',
  'repository_id',
  'repository_owner_id',
  'runner_environment',
  'run_id',
  'run_attempt',
] as const;

/**
 * The issuers of GitHub Actions tokens: github.com's, a GitHub Enterprise Cloud enterprise's
 * (`https://token.actions.githubusercontent.com/<enterprise slug>`, the form actions/toolkit's
 * attest accepts as a prefix match) and a GHE.com tenant's. Nothing else: no other path, no
 * trailing slash, no query.
 */
const ISSUER =
  /^https:\/\/token\.actions\.(?:githubusercontent\.com(?:\/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)?|[a-z0-9-]+\.ghe\.com)$/;

/** True when `iss` is a GitHub Actions token issuer (github.com, an Enterprise Cloud enterprise, or a GHE.com tenant). */
export function isGithubActionsIssuer(iss: string): boolean {
  return ISSUER.test(iss);
}

/** The runner environment this reads. */
export interface GithubProvenanceEnv extends GithubActionsEnv {
  GITHUB_ACTIONS?: string;
  GITHUB_SERVER_URL?: string;
  GITHUB_REPOSITORY?: string;
  GITHUB_SHA?: string;
  GITHUB_RUN_ID?: string;
  GITHUB_RUN_ATTEMPT?: string;
  GITHUB_REF?: string;
}

/** True when running in a GitHub Actions job. */
export function onGithubActions(env: GithubProvenanceEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * Fetches the job's OIDC claims (audience `nobody`) and returns what GitHub provenance needs.
 * Throws MISSING_IDENTITY_TOKEN without `permissions: id-token: write`, SIGSTORE_SERVICE when the
 * token service fails, and INVALID_PROVENANCE for a missing claim, a foreign issuer, or a claim that
 * disagrees with GITHUB_REPOSITORY / GITHUB_SHA / GITHUB_REF / GITHUB_RUN_ID / GITHUB_RUN_ATTEMPT.
 */
export async function githubBuildClaims(env: GithubProvenanceEnv): Promise<GithubBuildClaims> {
  const token = await githubActionsToken(env, 'nobody');
  const claims = readJwtClaims(token, 'the GitHub Actions token service');
  const out: Record<string, string> = {};
  for (const name of REQUIRED) {
    const v = claims[name];
    if (typeof v !== 'string' || v === '')
      throw new ModelsealError('INVALID_PROVENANCE', `the GitHub Actions token has no '${name}' claim`);
    out[name] = v;
  }
  if (!isGithubActionsIssuer(out.iss))
    throw new ModelsealError(
      'INVALID_PROVENANCE',
      `the GitHub Actions token has a foreign issuer '${out.iss}'`,
    );
  const crossChecks: [string, string | undefined, string][] = [
    ['GITHUB_REPOSITORY', env.GITHUB_REPOSITORY, out.repository],
    ['GITHUB_SHA', env.GITHUB_SHA, out.sha],
    ['GITHUB_REF', env.GITHUB_REF, out.ref],
    ['GITHUB_RUN_ID', env.GITHUB_RUN_ID, out.run_id],
    ['GITHUB_RUN_ATTEMPT', env.GITHUB_RUN_ATTEMPT, out.run_attempt],
  ];
  for (const [name, envValue, claim] of crossChecks) {
    if (envValue !== undefined && envValue !== claim) {
      throw new ModelsealError(
        'INVALID_PROVENANCE',
        `the GitHub Actions token says ${claim} where ${name} is ${envValue}`,
      );
    }
  }
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(serverUrl))
    throw new ModelsealError('INVALID_PROVENANCE', `GITHUB_SERVER_URL '${serverUrl}' is not a server URL`);
  return { serverUrl, ...(out as Omit<GithubBuildClaims, 'serverUrl'>) };
}
