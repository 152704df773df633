// `pnpm sigstore:local`: run the local Sigstore stack by hand. Prints its URLs, the trusted-root and
// signing-config paths and a ready test token, and stays up until Ctrl-C.
// Options: --no-tsa, --no-rekor (GitHub-style: Fulcio + TSA only), --email ADDRESS, --issuer URL.
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER } from './stack.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const stack = await startSigstoreStack({
  tsa: !process.argv.includes('--no-tsa'),
  rekor: !process.argv.includes('--no-rekor'),
});
const email = arg('--email') ?? TEST_EMAIL;
const issuer = arg('--issuer') ?? TEST_ISSUER;
// A long-lived token: it is unsigned and only this local Fulcio accepts it.
const token = stack.token({ email, sub: email, iss: issuer, exp: Math.floor(Date.now() / 1000) + 24 * 3600 });

process.stdout.write(
  [
    'local Sigstore stack is up (Ctrl-C to stop)',
    `  fulcio:          ${stack.fulcioURL}`,
    `  rekor:           ${stack.rekorURL ?? '(none)'}`,
    `  tsa:             ${stack.tsaURL ?? '(none)'}`,
    `  trusted root:    ${stack.trustedRootPath}`,
    `  signing config:  ${stack.signingConfigPath}`,
    `  identity:        ${email} (issuer ${issuer})`,
    '',
    'sign and verify with it:',
    `  export SIGSTORE_ID_TOKEN='${token}'`,
    `  pnpm modelseal sign ./my-model --signing-config ${stack.signingConfigPath} --trusted-root ${stack.trustedRootPath}`,
    `  pnpm modelseal verify ./my-model --trusted-root ${stack.trustedRootPath} \\`,
    `      --certificate-identity ${email} --certificate-oidc-issuer ${issuer}${stack.rekorURL ? '' : ' --insecure-ignore-tlog'}`,
    '',
  ].join('\n'),
);

const stop = () => {
  void stack.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
