// GitHub's attestation store: POST /repos/{owner}/{repo}/attestations with {"bundle": ...}, what
// @actions/attest does after signing, so that `gh attestation verify oci://REF` finds the bundle.
// modelseal signs the bundle itself (any signer, any Sigstore instance); this only stores it. Like
// actions/toolkit's attest (octokit's retry plugin, `retries: 5`), a 5xx answer or a network error is
// retried up to 5 times after 1, 4, 9, 16 and 25 seconds; a 4xx answer is final.
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
  /** Retries after a 5xx answer or a network error (default 5, as actions/toolkit). */
  retries?: number;
  /** Backoff unit: retry n waits n² times this (default 1000 ms, as actions/toolkit). */
  retryDelayMs?: number;
}

/** One POST: the response, or the network error's message. */
type Attempt = { res: Response } | { error: string };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What GitHub answered: the attestation id. */
export interface StoredGithubAttestation {
  id: string;
}

/**
 * Stores a Sigstore bundle in the repository's attestations, retrying 5xx answers and network errors
 * (`retries`, default 5, backing off 1 s, 4 s, 9 s...). Throws USAGE for a malformed repository or
 * API URL and ATTESTATION_STORE when the API cannot be reached or refuses (status and GitHub's
 * message; never the token); an abort of `signal` rejects with its reason, also during a backoff.
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
  const post = async (): Promise<Attempt> => {
    try {
      const res = await fetch(url, {
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
      return { res };
    } catch (e) {
      opts.signal?.throwIfAborted();
      return {
        error: e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e),
      };
    }
  };
  const retries = opts.retries ?? 5;
  const unit = opts.retryDelayMs ?? 1000;
  let attempt = await post();
  for (let n = 1; n <= retries && ('error' in attempt || attempt.res.status >= 500); n++) {
    if ('res' in attempt) await attempt.res.body?.cancel();
    await sleep(unit * n * n, opts.signal);
    attempt = await post();
  }
  const tries = `after ${retries + 1} tries`;
  if ('error' in attempt)
    throw new ModelsealError(
      'ATTESTATION_STORE',
      `cannot reach GitHub's attestation API at ${url} (${tries}): ${attempt.error}`,
    );
  const { res } = attempt;
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
      `GitHub's attestation API refused the bundle (${res.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}) at ${url}${res.status >= 500 ? ` ${tries}` : ''}`,
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
