// The keyless identity policy: who must have signed (SAN), which OIDC issuer vouched for them, and
// optional GitHub workflow claims. Every pattern is anchored; identity and issuer are both required.
import { SignatureError, ModelsealError } from '../errors.js';
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
}

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
 * Compile a user pattern so that it must match the whole value. The pattern is compiled alone
 * first: `a)|(.*` would otherwise close the `(?:` group and match anything.
 */
export function anchoredRegExp(pattern: string, what: string): RegExp {
  try {
    return new RegExp(`^(?:${new RegExp(pattern, 'u').source})$`, 'u');
  } catch (e) {
    throw new ModelsealError(
      'USAGE',
      `invalid ${what} regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
    );
  }
}

type Matcher = { test(value: string): boolean; text: string };

function matcher(
  exact: string | undefined,
  pattern: string | undefined,
  what: string,
  flag: string,
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
    `keyless verification needs the expected ${what}: pass ${flag} (or ${flag}-regexp); accepting any signer is not allowed`,
  );
}

/**
 * The certificate values a GitHub claim is compared with: the legacy raw extension and its DER
 * successor. Every one present must equal the claim; at least one must be present.
 */
function githubClaimValues(claim: keyof GithubClaims, signer: FulcioIdentity): string[] {
  const e = signer.extensions;
  const present = (...vs: (string | undefined)[]) => vs.filter((v): v is string => v !== undefined);
  switch (claim) {
    case 'workflowRepository':
      // .1.12 holds a URI (https://github.com/owner/repo): compare its path with the `owner/repo` claim.
      return present(e.githubWorkflowRepository, e.sourceRepositoryURI?.replace(/^https:\/\/[^/]+\//, ''));
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

const CLAIM_FLAGS: Record<keyof GithubClaims, string> = {
  workflowRepository: '--certificate-github-workflow-repository',
  workflowRef: '--certificate-github-workflow-ref',
  workflowTrigger: '--certificate-github-workflow-trigger',
  workflowSha: '--certificate-github-workflow-sha',
  workflowName: '--certificate-github-workflow-name',
};

/** Build the policy; throws USAGE when identity or issuer is missing or a pattern is invalid. */
export function identityPolicy(opts: IdentityPolicyOptions): IdentityPolicy {
  const identity = matcher(
    opts.identity,
    opts.identityRegExp,
    'certificate identity',
    '--certificate-identity',
  );
  const issuer = matcher(opts.issuer, opts.issuerRegExp, 'OIDC issuer', '--certificate-oidc-issuer');
  const claims = Object.entries(opts.githubClaims ?? {}).filter(([, v]) => v !== undefined && v !== '') as [
    keyof GithubClaims,
    string,
  ][];
  return {
    description: `identity ${identity.text}, issuer ${issuer.text}`,
    check(signer) {
      if (signer.identity === undefined || !identity.test(signer.identity)) {
        throw new SignatureError(
          'IDENTITY_MISMATCH',
          `certificate identity ${JSON.stringify(signer.identity ?? '')} does not match the expected ${identity.text}`,
          { details: { expected: identity.text, actual: signer.identity } },
        );
      }
      if (signer.issuer === undefined || !issuer.test(signer.issuer)) {
        throw new SignatureError(
          'ISSUER_MISMATCH',
          `certificate OIDC issuer ${JSON.stringify(signer.issuer ?? '')} does not match the expected ${issuer.text}`,
          { details: { expected: issuer.text, actual: signer.issuer } },
        );
      }
      for (const [claim, expected] of claims) {
        const actual = githubClaimValues(claim, signer);
        const wrong = actual.find((v) => v !== expected);
        if (actual.length === 0 || wrong !== undefined) {
          throw new SignatureError(
            'EXTENSION_MISMATCH',
            `${CLAIM_FLAGS[claim]}: certificate has ${wrong !== undefined ? JSON.stringify(wrong) : 'no such extension'}, expected ${JSON.stringify(expected)}`,
            { details: { claim, expected, actual } },
          );
        }
      }
    },
  };
}
