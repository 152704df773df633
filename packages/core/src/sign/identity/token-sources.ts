// Where the keyless signer's OIDC identity token comes from, in order: an explicit token, the
// SIGSTORE_ID_TOKEN variable, GitHub Actions ambient OIDC, then an interactive browser login on a TTY.
import { ModelsealError } from '../../errors.js';
import {
  browserOidcToken,
  DEFAULT_OIDC_CLIENT_ID,
  PUBLIC_GOOD_OIDC_ISSUER,
  type BrowserOidcOptions,
} from './browser-oidc.js';
import { githubActionsToken, hasGithubActionsToken } from './github-actions.js';
import { assertNotExpired, readJwtClaims, tokenSubject } from './jwt-claims.js';

/** The name of an identity-token source. */
export type TokenSourceName = 'identity-token' | 'SIGSTORE_ID_TOKEN' | 'github-actions' | 'browser';

/**
 * Where an identity token may come from: an explicit token, SIGSTORE_ID_TOKEN, GitHub Actions OIDC,
 * or a browser login (only when interactive).
 */
export interface TokenSourceOptions {
  /** `--identity-token`: used as is. */
  identityToken?: string;
  /** Environment to read SIGSTORE_ID_TOKEN and ACTIONS_ID_TOKEN_REQUEST_* from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Allow the browser login (the CLI passes stdin/stderr TTY-ness). Default false. */
  interactive?: boolean;
  /** `--oidc-issuer` / `--oidc-client-id` for the browser login. */
  oidcIssuer?: string;
  oidcClientId?: string;
  /** Test hook and UI hooks for the browser login. */
  browser?: Pick<BrowserOidcOptions, 'openBrowser' | 'log' | 'timeoutMs'>;
}

/** An identity token, the source it came from, and the subject and issuer it names. */
export interface ResolvedToken {
  token: string;
  source: TokenSourceName;
  /** The identity Fulcio will certify (email or sub) and the token's issuer, for messages. */
  subject: string;
  issuer?: string;
}

/**
 * The message that says how to provide an identity token when none was found. It names no front-end
 * flag: the error carries the remedy `identityToken`, which the CLI turns into its own hint.
 */
export const MISSING_TOKEN_HELP =
  'no OIDC identity token for keyless signing: give identityToken, set SIGSTORE_ID_TOKEN, ' +
  'run in GitHub Actions with `permissions: id-token: write`, or run on a terminal to sign in with a browser ' +
  '(or sign with a key or a certificate instead)';

/** Which source would be used, without fetching anything. */
export function pickTokenSource(opts: TokenSourceOptions): TokenSourceName | undefined {
  const env = opts.env ?? process.env;
  if (opts.identityToken) return 'identity-token';
  if (env.SIGSTORE_ID_TOKEN) return 'SIGSTORE_ID_TOKEN';
  if (hasGithubActionsToken(env)) return 'github-actions';
  if (opts.interactive) return 'browser';
  return undefined;
}

/** Get the token from the first available source, check it is a usable JWT, and say where it came from. */
export async function resolveIdentityToken(opts: TokenSourceOptions): Promise<ResolvedToken> {
  const env = opts.env ?? process.env;
  const source = pickTokenSource(opts);
  let token: string;
  switch (source) {
    case 'identity-token':
      token = opts.identityToken as string;
      break;
    case 'SIGSTORE_ID_TOKEN':
      token = env.SIGSTORE_ID_TOKEN as string;
      break;
    case 'github-actions':
      token = await githubActionsToken(env, 'sigstore');
      break;
    case 'browser':
      token = await browserOidcToken({
        issuer: opts.oidcIssuer ?? PUBLIC_GOOD_OIDC_ISSUER,
        clientId: opts.oidcClientId ?? DEFAULT_OIDC_CLIENT_ID,
        ...opts.browser,
      });
      break;
    case undefined:
      throw new ModelsealError('MISSING_IDENTITY_TOKEN', MISSING_TOKEN_HELP, {
        remedy: { option: 'identityToken', action: 'set' },
      });
  }
  token = token.trim();
  const claims = readJwtClaims(token, source);
  assertNotExpired(claims, source);
  return {
    token,
    source,
    subject: tokenSubject(claims, source),
    issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
  };
}
