// Signer and verifier flags for `attest` and `verify-attestation`: the same ones `sign` and `verify`
// take (key, certificate chain, keyless), translated by the same functions.
import { Command } from 'commander';
import { addKeylessSignFlags, addKeylessVerifyFlags } from './keyless-flags.js';
import { collect } from './repeatable-option.js';
import { addKeySignFlags } from './sign.js';

export { signerFromFlags, type SignerFlags } from './sign.js';
export { verifierFromFlags, describeSigner, type VerifierFlags } from './verify.js';

/** --key, --certificate, --certificate-chain and the keyless signing flags, as `sign` has them. */
export function addSignerFlags(cmd: Command): Command {
  return addKeylessSignFlags(addKeySignFlags(cmd));
}

/**
 * --key, --certificate-chain (trust anchors) and the keyless identity flags, as `verify` has them.
 * Flags the command already has (e.g. pull's --trusted-root from --policy) are kept, not added twice.
 */
export function addVerifierFlags(cmd: Command): Command {
  const spec = new Command()
    .option('--key <file>', 'public key (PEM) the signature or attestation was made with')
    .option(
      '--certificate-chain <file>',
      'trust anchor certificates (PEM) for certificate-signed bundles; repeatable',
      collect,
      [],
    );
  addKeylessVerifyFlags(spec);
  for (const option of spec.options) {
    if (!cmd.options.some((o) => o.long === option.long)) cmd.addOption(option);
  }
  return cmd;
}
