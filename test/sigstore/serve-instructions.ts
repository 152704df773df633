// What `pnpm sigstore:local` prints: the stack's URLs and files, then commands a user can paste from
// any directory (absolute paths to the CLI, the trusted root and the signing config), for a plain
// test identity (SIGSTORE_ID_TOKEN) and for a GitHub Actions workflow (ACTIONS_ID_TOKEN_REQUEST_URL
// and ACTIONS_ID_TOKEN_REQUEST_TOKEN, served by the stack's Actions token endpoint).
import path from 'node:path';
import { DEFAULT_GITHUB_CLAIMS, GITHUB_ISSUER, type SigstoreStack } from './stack.js';

/** The stack as the instructions need it. */
export type InstructionStack = Pick<
  SigstoreStack,
  | 'fulcioURL'
  | 'rekorURL'
  | 'tsaURL'
  | 'ghaTokenURL'
  | 'ghaRequestToken'
  | 'trustedRootPath'
  | 'signingConfigPath'
>;

/** The text `pnpm sigstore:local` prints; `cli` is the CLI's bin.js, `token` a test identity token. */
export function serveInstructions(
  stack: InstructionStack,
  o: { cli: string; token: string; email: string; issuer: string },
): string {
  const cli = `node ${path.resolve(o.cli)}`;
  const root = path.resolve(stack.trustedRootPath);
  const config = path.resolve(stack.signingConfigPath);
  const noTlog = stack.rekorURL ? '' : ' --insecure-ignore-tlog';
  const ghIdentity = `https://github.com/${DEFAULT_GITHUB_CLAIMS.job_workflow_ref}`;
  return [
    'local Sigstore stack is up (Ctrl-C to stop)',
    `  fulcio:          ${stack.fulcioURL}`,
    `  rekor:           ${stack.rekorURL ?? '(none)'}`,
    `  tsa:             ${stack.tsaURL ?? '(none)'}`,
    `  trusted root:    ${root}`,
    `  signing config:  ${config}`,
    `  identity:        ${o.email} (issuer ${o.issuer})`,
    '',
    'sign and verify a model with it, from any directory (./my-model is yours):',
    `  export SIGSTORE_ID_TOKEN='${o.token}'`,
    `  ${cli} sign ./my-model --signing-config ${config} --trusted-root ${root}`,
    `  ${cli} verify ./my-model --trusted-root ${root} \\`,
    `      --certificate-identity ${o.email} --certificate-oidc-issuer ${o.issuer}${noTlog}`,
    '',
    'or sign as a GitHub Actions workflow does (the token comes from the stack, as with id-token: write):',
    '  unset SIGSTORE_ID_TOKEN',
    `  export ACTIONS_ID_TOKEN_REQUEST_URL='${stack.ghaTokenURL}?api-version=2.0'`,
    `  export ACTIONS_ID_TOKEN_REQUEST_TOKEN='${stack.ghaRequestToken}'`,
    `  ${cli} sign ./my-model --overwrite --signing-config ${config} --trusted-root ${root}`,
    `  ${cli} verify ./my-model --trusted-root ${root} \\`,
    `      --certificate-identity ${ghIdentity} \\`,
    `      --certificate-oidc-issuer ${GITHUB_ISSUER} --certificate-github-workflow-repository ${DEFAULT_GITHUB_CLAIMS.repository}${noTlog}`,
    '',
  ].join('\n');
}
