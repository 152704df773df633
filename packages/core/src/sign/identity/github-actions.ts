// GitHub Actions ambient OIDC: ask the runner's token service for an ID token with audience `sigstore`
// (needs `permissions: id-token: write`).
import { ModelsealError } from '../../errors.js';

export interface GithubActionsEnv {
  ACTIONS_ID_TOKEN_REQUEST_URL?: string;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN?: string;
}

/** True when the environment offers a GitHub Actions OIDC token. */
export function hasGithubActionsToken(env: GithubActionsEnv): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
}

/** Fetch an ID token from the Actions token service. */
export async function githubActionsToken(
  env: GithubActionsEnv,
  audience = 'sigstore',
  timeoutMs = 10_000,
): Promise<string> {
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new ModelsealError(
      'MISSING_IDENTITY_TOKEN',
      'GitHub Actions OIDC is not available (add `permissions: id-token: write`)',
    );
  }
  let url: URL;
  try {
    url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
  } catch {
    throw new ModelsealError('USAGE', 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL');
  }
  url.searchParams.set('audience', audience);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new ModelsealError(
      'SIGSTORE_SERVICE',
      `GitHub Actions token request to ${url.origin} failed: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (!res.ok) {
    throw new ModelsealError(
      'SIGSTORE_SERVICE',
      `GitHub Actions token request to ${url.origin} answered HTTP ${res.status}`,
    );
  }
  const body = (await res.json().catch(() => undefined)) as { value?: unknown } | undefined;
  if (typeof body?.value !== 'string' || body.value === '') {
    throw new ModelsealError(
      'SIGSTORE_SERVICE',
      `GitHub Actions token response from ${url.origin} has no "value"`,
    );
  }
  return body.value;
}
