// The CLI's hint for an error core says an option gets past (ErrorRemedy): core names its options,
// the CLI names its flags. `signature 'x' already exists` becomes `...; pass --overwrite to replace it`.
import type { ModelsealError } from '@modelseal/core/hashing';

/** The CLI flag of each core option a remedy can name. */
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
};

/** `e.message` with the CLI's hint appended when core named a remedy the CLI has a flag for. */
export function messageWithHint(e: Pick<ModelsealError, 'message' | 'remedy'>): string {
  const remedy = e.remedy;
  const flag = remedy && FLAGS[remedy.option];
  if (!remedy || !flag) return e.message;
  if (remedy.action === 'change') return `${e.message}; choose another ${flag}`;
  return `${e.message}; pass ${flag}${remedy.to ? ` to ${remedy.to}` : ''}`;
}
