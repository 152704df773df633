// The keyless identity policy: who must have signed (SAN), which OIDC issuer vouched for them, and
// optional GitHub workflow claims. Every pattern is anchored; identity and issuer are both required.
import { ModelsealError } from '../errors.js';
import type { FulcioIdentity } from './fulcio-extensions.js';

/** GitHub workflow claims compared with the certificate, named after cosign's flags. */
export interface GithubClaims {
  /** --certificate-github-workflow-repository, e.g. `octo/repo` (.1.5, or the URI .1.12). */
  workflowRepository?: string;
  /** --certificate-github-workflow-ref, e.g. `refs/heads/main` (.1.6 / .1.14). */
  workflowRef?: string;
  /** --certificate-github-workflow-trigger, e.g. `push` (.1.2 / .1.20). */
  workflowTrigger?: string;
  /** --certificate-github-workflow-sha, the commit (.1.3 / .1.13). */
  workflowSha?: string;
  /** --certificate-github-workflow-name (.1.4). */
  workflowName?: string;
  /**
   * The GitHub server the repository lives on, for the .1.12 URI: default `https://github.com`;
   * give the GitHub Enterprise Server URL for GHES. The URI must be exactly `<server>/<owner/repo>`.
   */
  serverUrl?: string;
}

/**
 * Whom a keyless signature must come from: an exact identity or an anchored regexp, an exact issuer
 * or an anchored regexp (one of each is required), and optional GitHub workflow claims.
 */
export interface IdentityPolicyOptions {
  /** Exact SAN (email or URI) of the signer. */
  identity?: string;
  /** Regular expression for the SAN; anchored as `^(?:...)$`. */
  identityRegExp?: string;
  /** Exact OIDC issuer URL. */
  issuer?: string;
  /** Regular expression for the issuer; anchored as `^(?:...)$`. */
  issuerRegExp?: string;
  githubClaims?: GithubClaims;
}

/** A compiled, validated policy. Build it with `identityPolicy()`. */
export interface IdentityPolicy {
  readonly description: string;
  check(signer: FulcioIdentity): void;
}

/**
 * Compile a user pattern so that it must match the whole value. The pattern is compiled on its own
 * first (USAGE when it does not compile), and only its compiled source is anchored: text such as
 * `nobody)|(?:.*` cannot close the anchoring group.
 */
export function anchoredRegExp(pattern: string, what: string): RegExp {
  let alone: RegExp;
  try {
    alone = new RegExp(pattern, 'u');
  } catch (e) {
    throw new ModelsealError(
      'USAGE',
      `invalid ${what} regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
    );
  }
  return new RegExp(`^(?:${alone.source})$`, 'u');
}

export const GITHUB_SERVER_URL = 'https://github.com';

type Matcher = { test(value: string): boolean; text: string };

function matcher(
  exact: string | undefined,
  pattern: string | undefined,
  what: string,
  option: 'identity' | 'issuer',
): Matcher {
  if (exact !== undefined && pattern !== undefined) {
    throw new ModelsealError(
      'USAGE',
      `give either an exact ${what} or a ${what} regular expression, not both`,
    );
  }
  if (exact !== undefined && exact !== '') return { test: (v) => v === exact, text: JSON.stringify(exact) };
  if (pattern !== undefined && pattern !== '') {
    const re = anchoredRegExp(pattern, what);
    return { test: (v) => re.test(v), text: `/${re.source}/` };
  }
  throw new ModelsealError(
    'USAGE',
    `keyless verification needs the expected ${what} (option ${option} or ${option}RegExp); accepting any signer is not allowed`,
    { remedy: { option, action: 'set' } },
  );
}

/**
 * The certificate values a GitHub claim is compared with: the legacy raw extension and its DER
 * successor. Every one present must equal the claim; at least one must be present.
 */
function githubClaimValues(claim: ClaimName, signer: FulcioIdentity, server: string): string[] {
  const e = signer.extensions;
  const present = (...vs: (string | undefined)[]) => vs.filter((v): v is string => v !== undefined);
  switch (claim) {
    case 'workflowRepository': {
      // .1.12 holds a URI: only `<server>/<owner/repo>` on the expected server names the repository.
      const uri = e.sourceRepositoryURI;
      const onServer = uri?.startsWith(`${server}/`) ? uri.slice(server.length + 1) : uri;
      return present(e.githubWorkflowRepository, onServer);
    }
    case 'workflowRef':
      return present(e.githubWorkflowRef, e.sourceRepositoryRef);
    case 'workflowTrigger':
      return present(e.githubWorkflowTrigger, e.buildTrigger);
    case 'workflowSha':
      return present(e.githubWorkflowSha, e.sourceRepositoryDigest);
    case 'workflowName':
      return present(e.githubWorkflowName);
  }
}

type ClaimName = Exclude<keyof GithubClaims, 'serverUrl'>;

/** What each GitHub claim is, in messages (the option is `githubClaims.<claim>`). */
const CLAIM_NAMES: Record<ClaimName, string> = {
  workflowRepository: 'GitHub workflow repository',
  workflowRef: 'GitHub workflow ref',
  workflowTrigger: 'GitHub workflow trigger',
  workflowSha: 'GitHub workflow commit',
  workflowName: 'GitHub workflow name',
};

/** The server URL as an origin (`https://host[:port]`), USAGE when it is not one. */
function githubServer(url: string | undefined): string {
  if (url === undefined || url === '') return GITHUB_SERVER_URL;
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || u.protocol !== 'https:' || url.replace(/\/$/, '') !== u.origin) {
    throw new ModelsealError(
      'USAGE',
      `GitHub server URL must be an https origin such as https://github.example.com, got ${JSON.stringify(url)}`,
    );
  }
  return u.origin;
}

/** Build the policy; throws USAGE when identity or issuer is missing or a pattern is invalid. */
export function identityPolicy(opts: IdentityPolicyOptions): IdentityPolicy {
  const identity = matcher(opts.identity, opts.identityRegExp, 'certificate identity', 'identity');
  const issuer = matcher(opts.issuer, opts.issuerRegExp, 'OIDC issuer', 'issuer');
  const { serverUrl, ...given } = opts.githubClaims ?? {};
  const server = githubServer(serverUrl);
  const claims = Object.entries(given).filter(([, v]) => v !== undefined && v !== '') as [
    ClaimName,
    string,
  ][];
  return {
    description: `identity ${identity.text}, issuer ${issuer.text}`,
    check(signer) {
      if (signer.identity === undefined || !identity.test(signer.identity)) {
        throw new ModelsealError(
          'IDENTITY_MISMATCH',
          `certificate identity ${JSON.stringify(signer.identity ?? '')} does not match the expected ${identity.text}`,
          { details: { expected: identity.text, actual: signer.identity } },
        );
      }
      if (signer.issuer === undefined || !issuer.test(signer.issuer)) {
        throw new ModelsealError(
          'ISSUER_MISMATCH',
          `certificate OIDC issuer ${JSON.stringify(signer.issuer ?? '')} does not match the expected ${issuer.text}`,
          { details: { expected: issuer.text, actual: signer.issuer } },
        );
      }
      for (const [claim, expected] of claims) {
        const actual = githubClaimValues(claim, signer, server);
        const wrong = actual.find((v) => v !== expected);
        if (actual.length === 0 || wrong !== undefined) {
          throw new ModelsealError(
            'EXTENSION_MISMATCH',
            `${CLAIM_NAMES[claim]}: certificate has ${wrong !== undefined ? JSON.stringify(wrong) : 'no such extension'}, expected ${JSON.stringify(expected)}`,
            {
              details: { claim, expected, actual },
              remedy: { option: `githubClaims.${claim}`, action: 'expected' },
            },
          );
        }
      }
    },
  };
}
