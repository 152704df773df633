// Keyless (Sigstore) flags shared by `sign` and `verify`, and their translation into core signers/verifiers.
// `sign`/`verify` call these when neither --key nor --certificate-chain is given.
import { Option, type Command } from 'commander';
// The signing and verifying code is imported when a signer or verifier is built, so that commands
// that only add these flags (push, pull) start without it.
import { ModelsealError } from '@modelseal/core/hashing';
import type { BundleSigner, BundleVerifier, TrustedRootSource } from '@modelseal/core';
import { canPrompt } from './password-prompt.js';
import { humanLine } from '../output.js';

/** The parsed keyless signing flags (commander attribute names; see addKeylessSignFlags). */
export interface KeylessSignFlags {
  identityToken?: string;
  staging?: boolean;
  signingConfig?: string;
  trustedRoot?: string;
  oidcIssuer?: string;
  /** default 'sigstore' */
  oidcClientId: string;
}

/** The parsed keyless verification flags (commander attribute names; see addKeylessVerifyFlags). */
export interface KeylessVerifyFlags {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  certificateGithubWorkflowRepository?: string;
  certificateGithubWorkflowRef?: string;
  certificateGithubWorkflowTrigger?: string;
  certificateGithubWorkflowSha?: string;
  certificateGithubWorkflowName?: string;
  certificateGithubServerUrl?: string;
  trustedRoot?: string;
  staging?: boolean;
  tufRefresh?: boolean;
  tufCacheDir?: string;
  insecureIgnoreTlog?: boolean;
  insecureIgnoreSct?: boolean;
}

/** An empty value means the flag was not given. */
const str = (v: string | undefined): string | undefined => (v !== '' ? v : undefined);

/** Help text for `sign` and `verify`, added by the add*Flags functions. */
export const KEYLESS_SIGN_EXAMPLES = `
Keyless (Sigstore) signing, used when neither --key nor --certificate-chain is given:
  $ modelseal sign ./model                                   # browser login, public-good Sigstore
  $ SIGSTORE_ID_TOKEN=$(cat token) modelseal sign ./model     # CI with an OIDC token
  $ modelseal sign ./model --signing-config signing_config.json --trusted-root trusted_root.json
  $ modelseal sign ./model --staging --identity-token "$TOKEN"
Token sources, in order: --identity-token, SIGSTORE_ID_TOKEN, GitHub Actions OIDC (permissions:
id-token: write), then a browser login when run on a terminal. Tokens are never printed.
`;

/** The keyless verification examples, written for `command` (verify, watch, verify-attestation). */
const keylessVerifyExamples = (command: string): string => `
Keyless (Sigstore) verification: identity and issuer are both required; regexps are anchored:
  $ modelseal ${command} ./model --certificate-identity dev@example.com \\
      --certificate-oidc-issuer https://accounts.google.com
  $ modelseal ${command} ./model --certificate-identity-regexp 'https://github\\.com/octo/model/\\.github/workflows/.*' \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
      --certificate-github-workflow-repository octo/model --certificate-github-workflow-ref refs/heads/main
  $ modelseal ${command} ./model --trusted-root trusted_root.json --certificate-identity dev@example.com \\
      --certificate-oidc-issuer https://issuer.example.com          # private Sigstore instance
Trust comes from --trusted-root, else the public-good root shipped with modelseal (--tuf-refresh
fetches the current one). A transparency-log entry and an SCT are required unless
--insecure-ignore-tlog / --insecure-ignore-sct.
`;

export function addKeylessSignFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--identity-token <token>',
        'keyless: OIDC identity token (else SIGSTORE_ID_TOKEN, GitHub Actions OIDC, or a browser login on a terminal)',
      ),
    )
    .addOption(
      new Option('--staging', "keyless: use Sigstore's staging instance instead of public-good").conflicts(
        'signingConfig',
      ),
    )
    .addOption(
      new Option(
        '--signing-config <file>',
        'Sigstore signing_config.json naming the Fulcio, Rekor and TSA to use (private instances); with --tlog-upload, its Rekor logs key/certificate signatures',
      ),
    )
    .addOption(
      new Option(
        '--trusted-root <file>',
        'keyless: trusted_root.json to check the new signature against after signing',
      ),
    )
    .addOption(
      new Option(
        '--oidc-issuer <url>',
        "keyless: OIDC issuer for the browser login (default: the instance's)",
      ),
    )
    .addOption(
      new Option('--oidc-client-id <id>', 'keyless: OIDC client id for the browser login').default(
        'sigstore',
      ),
    )
    .addHelpText('after', KEYLESS_SIGN_EXAMPLES);
}

export async function keylessSignerFromFlags(opts: KeylessSignFlags): Promise<BundleSigner> {
  const { keylessSigner } = await import('@modelseal/core');
  return keylessSigner({
    identityToken: str(opts.identityToken),
    staging: opts.staging === true,
    signingConfig: str(opts.signingConfig),
    oidcIssuer: str(opts.oidcIssuer),
    oidcClientId: str(opts.oidcClientId),
    interactive: canPrompt(),
    onIdentity: (who) => {
      process.stderr.write(
        humanLine(
          `modelseal: signing keylessly as ${who.subject}${who.issuer ? ` (issuer ${who.issuer})` : ''}, token from ${who.source}`,
        ),
      );
    },
    // Checks what was just produced against the instance's trust root, as cosign does after signing.
    trustedRoot: str(opts.trustedRoot),
  });
}

/** The trust-root options: they also name the Rekor logs for the log entries of key and certificate bundles. */
type TrustRootFlag = 'trustedRoot' | 'tufRefresh' | 'tufCacheDir';

/** Every keyless-only `verify` option (commander attribute names): none may stand next to --key or --certificate-chain. */
const KEYLESS_VERIFY_OPTIONS: Record<Exclude<keyof KeylessVerifyFlags, TrustRootFlag>, string> = {
  certificateIdentity: '--certificate-identity',
  certificateIdentityRegexp: '--certificate-identity-regexp',
  certificateOidcIssuer: '--certificate-oidc-issuer',
  certificateOidcIssuerRegexp: '--certificate-oidc-issuer-regexp',
  certificateGithubWorkflowRepository: '--certificate-github-workflow-repository',
  certificateGithubWorkflowRef: '--certificate-github-workflow-ref',
  certificateGithubWorkflowTrigger: '--certificate-github-workflow-trigger',
  certificateGithubWorkflowSha: '--certificate-github-workflow-sha',
  certificateGithubWorkflowName: '--certificate-github-workflow-name',
  certificateGithubServerUrl: '--certificate-github-server-url',
  staging: '--staging',
  insecureIgnoreTlog: '--insecure-ignore-tlog',
  insecureIgnoreSct: '--insecure-ignore-sct',
};

/** The first keyless-only option `flags` holds (e.g. `--certificate-identity`), or undefined. */
export function keylessOptionGiven(flags: KeylessVerifyFlags): string | undefined {
  let attr: keyof typeof KEYLESS_VERIFY_OPTIONS;
  for (attr in KEYLESS_VERIFY_OPTIONS) {
    if (flags[attr] !== undefined && flags[attr] !== false) return KEYLESS_VERIFY_OPTIONS[attr];
  }
  return undefined;
}

export function addKeylessVerifyFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--certificate-identity <identity>',
        'keyless: exact signer identity (email or URI) in the certificate',
      ),
    )
    .addOption(
      new Option(
        '--certificate-identity-regexp <regexp>',
        'keyless: signer identity pattern (always anchored: must match the whole value)',
      ),
    )
    .addOption(new Option('--certificate-oidc-issuer <url>', 'keyless: exact OIDC issuer in the certificate'))
    .addOption(
      new Option(
        '--certificate-oidc-issuer-regexp <regexp>',
        'keyless: OIDC issuer pattern (always anchored)',
      ),
    )
    .addOption(
      new Option(
        '--certificate-github-workflow-repository <owner/repo>',
        'keyless: required GitHub workflow repository',
      ),
    )
    .addOption(
      new Option(
        '--certificate-github-workflow-ref <ref>',
        'keyless: required GitHub ref, e.g. refs/heads/main',
      ),
    )
    .addOption(
      new Option(
        '--certificate-github-workflow-trigger <event>',
        'keyless: required GitHub event, e.g. push',
      ),
    )
    .addOption(new Option('--certificate-github-workflow-sha <sha>', 'keyless: required commit SHA'))
    .addOption(new Option('--certificate-github-workflow-name <name>', 'keyless: required workflow name'))
    .addOption(
      new Option(
        '--certificate-github-server-url <url>',
        'keyless: GitHub server the workflow repository lives on (default https://github.com; GHES URL otherwise)',
      ),
    )
    .addOption(
      new Option(
        '--trusted-root <file>',
        'Sigstore trusted_root.json: the keys of Fulcio, Rekor and TSAs for keyless signatures, and of the Rekor logs whose entries key/certificate signatures may carry (default: the public-good root shipped with modelseal)',
      ),
    )
    .addOption(
      new Option(
        '--staging',
        "keyless: the signature comes from Sigstore's staging instance (needs --trusted-root)",
      ),
    )
    .addOption(
      new Option(
        '--tuf-refresh',
        'fetch the current public-good trusted root over TUF (network) instead of the shipped one',
      ),
    )
    .addOption(new Option('--tuf-cache-dir <dir>', 'TUF cache directory for --tuf-refresh'))
    .addOption(
      new Option(
        '--insecure-ignore-tlog',
        'keyless: accept signatures without a transparency-log entry (not recommended)',
      ),
    )
    .addOption(
      new Option(
        '--insecure-ignore-sct',
        'keyless: accept certificates without an embedded SCT (not recommended)',
      ),
    )
    .addHelpText('after', keylessVerifyExamples(cmd.name()));
}

export function trustedRootFromFlags(
  opts: Pick<KeylessVerifyFlags, 'trustedRoot' | 'tufRefresh' | 'tufCacheDir' | 'staging'>,
): TrustedRootSource {
  const file = str(opts.trustedRoot);
  if (file) {
    if (opts.tufRefresh === true)
      throw new ModelsealError('USAGE', 'give either --trusted-root or --tuf-refresh, not both');
    return { kind: 'file', path: file };
  }
  if (opts.staging === true) {
    throw new ModelsealError(
      'USAGE',
      '--staging needs --trusted-root FILE (the staging trusted_root.json): modelseal ships only the public-good root',
    );
  }
  if (opts.tufRefresh === true) return { kind: 'tuf', cachePath: str(opts.tufCacheDir) };
  if (str(opts.tufCacheDir))
    throw new ModelsealError('USAGE', '--tuf-cache-dir only applies with --tuf-refresh');
  return { kind: 'public-good' };
}

/**
 * The trusted root a policy verifier gets: the one the trust flags name, or none (its default, the
 * shipped public-good root) when no trust flag was given.
 */
export function policyTrustFromFlags(
  opts: Pick<KeylessVerifyFlags, 'trustedRoot' | 'tufRefresh' | 'tufCacheDir' | 'staging'>,
): { trustedRoot?: TrustedRootSource } {
  const given = typeof opts.trustedRoot === 'string' || opts.tufRefresh === true || opts.staging === true;
  return given ? { trustedRoot: trustedRootFromFlags(opts) } : {};
}

export async function keylessVerifierFromFlags(opts: KeylessVerifyFlags): Promise<BundleVerifier> {
  const policyFlags: (keyof KeylessVerifyFlags)[] = [
    'certificateIdentity',
    'certificateIdentityRegexp',
    'certificateOidcIssuer',
    'certificateOidcIssuerRegexp',
  ];
  if (!policyFlags.some((f) => typeof opts[f] === 'string' && opts[f] !== '')) {
    throw new ModelsealError(
      'USAGE',
      'say whom to trust: --key FILE, --certificate-chain FILE, or (keyless) --certificate-identity and --certificate-oidc-issuer',
    );
  }
  const trustedRoot = trustedRootFromFlags(opts);
  const { keylessVerifier } = await import('@modelseal/core');
  const verifier = keylessVerifier({
    identity: str(opts.certificateIdentity),
    identityRegExp: str(opts.certificateIdentityRegexp),
    issuer: str(opts.certificateOidcIssuer),
    issuerRegExp: str(opts.certificateOidcIssuerRegexp),
    githubClaims: {
      workflowRepository: str(opts.certificateGithubWorkflowRepository),
      workflowRef: str(opts.certificateGithubWorkflowRef),
      workflowTrigger: str(opts.certificateGithubWorkflowTrigger),
      workflowSha: str(opts.certificateGithubWorkflowSha),
      workflowName: str(opts.certificateGithubWorkflowName),
      serverUrl: str(opts.certificateGithubServerUrl),
    },
    trustedRoot,
    ignoreTlog: opts.insecureIgnoreTlog === true,
    ignoreSct: opts.insecureIgnoreSct === true,
  });
  // --insecure-ignore-* come back as VerifiedBundle.warnings, which `verify` prints on stderr.
  return verifier;
}
