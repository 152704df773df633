// The CLI's hint for an error core says an option gets past (ErrorRemedy): core names its options,
// the CLI names its flags. `signature 'x' already exists` becomes `...; pass --overwrite to replace it`.
// Core warnings name an option as `(option ignoreTlog)`; the CLI prints its flag there instead.
import type { ModelsealError } from '@modelseal/core/hashing';

/** The CLI flag of each core option a remedy or a warning can name. */
const FLAGS: Readonly<Record<string, string>> = {
  overwrite: '--overwrite',
  signaturePath: '--signature',
  publicKey: '--key',
  trustAnchors: '--certificate-chain',
  identity: '--certificate-identity (or --certificate-identity-regexp)',
  issuer: '--certificate-oidc-issuer (or --certificate-oidc-issuer-regexp)',
  maxReferrers: '--max-referrers (or MODELSEAL_MAX_REFERRERS)',
  allowSymlinks: '--allow-symlinks',
  ignoreUnsignedFiles: '--ignore-unsigned-files',
  ignoreTlog: '--insecure-ignore-tlog',
  ignoreSct: '--insecure-ignore-sct',
  identityToken: '--identity-token TOKEN',
  buildType: '--build-type ml-training',
  'githubClaims.workflowRepository': '--certificate-github-workflow-repository',
  'githubClaims.workflowRef': '--certificate-github-workflow-ref',
  'githubClaims.workflowTrigger': '--certificate-github-workflow-trigger',
  'githubClaims.workflowSha': '--certificate-github-workflow-sha',
  'githubClaims.workflowName': '--certificate-github-workflow-name',
};

/** `e.message` with the CLI's hint appended when core named a remedy the CLI has a flag for. */
export function messageWithHint(e: Pick<ModelsealError, 'message' | 'remedy'>): string {
  const remedy = e.remedy;
  const flag = remedy && FLAGS[remedy.option];
  if (!remedy || !flag) return e.message;
  if (remedy.action === 'expected') return `${e.message} (${flag})`;
  if (remedy.action === 'change') return `${e.message}; choose another ${flag}`;
  return `${e.message}; pass ${flag}${remedy.to ? ` to ${remedy.to}` : ''}`;
}

/** A core warning with each `(option NAME)` the CLI has a flag for printed as `(--flag)`. */
export function warningWithFlags(warning: string): string {
  return warning.replace(/\(option ([A-Za-z.]+)\)/g, (all, name: string) => {
    const flag = FLAGS[name];
    return flag ? `(${flag})` : all;
  });
}
