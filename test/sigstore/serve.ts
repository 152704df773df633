// `pnpm sigstore:local`: run the local Sigstore stack by hand. Prints its URLs, the trusted-root and
// signing-config paths, a ready test token, the GitHub Actions token variables and commands that work
// from any directory (serve-instructions.ts), and stays up until Ctrl-C.
// Options: --no-tsa, --no-rekor (GitHub-style: Fulcio + TSA only), --email ADDRESS, --issuer URL.
import { fileURLToPath } from 'node:url';
import { serveInstructions } from './serve-instructions.js';
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
  serveInstructions(stack, {
    cli: fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url)),
    token,
    email,
    issuer,
  }),
);

const stop = () => {
  void stack.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
