// GitHub's attestation store: POST /repos/{owner}/{repo}/attestations with {"bundle": ...}, what
// @actions/attest does after signing, so that `gh attestation verify oci://REF` finds the bundle.
// modelseal signs the bundle itself (any signer, any Sigstore instance); this only stores it.
import type { SerializedBundle } from '@sigstore/bundle';
import { ModelsealError } from '../errors.js';

/** Where to store: the API (default GITHUB_API_URL, else https://api.github.com), repository and token. */
export interface StoreGithubAttestationOptions {
  /** `owner/repo` (GITHUB_REPOSITORY). */
  repository: string;
  /** A token allowed to write attestations (`permissions: attestations: write`). Never logged. */
  token: string;
  /** The REST API root, e.g. https://api.github.com or https://HOST/api/v3. */
  apiUrl?: string;
  signal?: AbortSignal;
}

/** What GitHub answered: the attestation id. */
export interface StoredGithubAttestation {
  id: string;
}

/**
 * Stores a Sigstore bundle in the repository's attestations. Throws USAGE for a malformed repository
 * or API URL and ATTESTATION_STORE when the API cannot be reached or refuses (status and GitHub's
 * message; never the token).
 */
export async function storeGithubAttestation(
  bundle: SerializedBundle,
  opts: StoreGithubAttestationOptions,
): Promise<StoredGithubAttestation> {
  const [owner, repo, ...rest] = opts.repository.split('/');
  if (!owner || !repo || rest.length)
    throw new ModelsealError('USAGE', `repository '${opts.repository}' is not owner/repo`);
  const api = (opts.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(api))
    throw new ModelsealError('USAGE', `GitHub API URL '${api}' is not an http(s) URL`);
  const url = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/attestations`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opts.token}`,
        accept: 'application/vnd.github+json',
        'content-type': 'application/json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'modelseal',
      },
      body: JSON.stringify({ bundle }),
      signal: opts.signal,
    });
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw new ModelsealError(
      'ATTESTATION_STORE',
      `cannot reach GitHub's attestation API at ${url}: ${cause}`,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new ModelsealError(
      'ATTESTATION_STORE',
      `GitHub's attestation API refused the bundle (${res.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}) at ${url}`,
      { details: { status: res.status } },
    );
  }
  const id = (body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'number' && typeof id !== 'string')
    throw new ModelsealError(
      'ATTESTATION_STORE',
      `GitHub's attestation API at ${url} answered without an id`,
    );
  return { id: String(id) };
}
