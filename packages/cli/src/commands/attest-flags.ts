// Signer and verifier flags for `attest`, `verify-attestation`, `push --sign` and `pull --verify`: the
// same ones `sign` and `verify` take (key, certificate chain, keyless), translated by the same
// functions, whose modules load only when a signer or verifier is built (push and pull start light).
import { Command } from 'commander';
import { addKeylessSignFlags, addKeylessVerifyFlags } from './keyless-flags.js';
import { collect } from './repeatable-option.js';
import type { BundleSigner, BundleVerifier } from '@modelseal/core';
import { addKeySignFlags } from './key-sign-flags.js';
import type { SignerFlags } from './sign.js';
import type { VerifierFlags } from './verify.js';

export type { SignerFlags } from './sign.js';
export type { VerifierFlags } from './verify.js';

/** `sign`'s signer from the flags; its module (and core's signing code) is loaded on this call. */
export async function signerFromFlags(flags: SignerFlags): Promise<BundleSigner> {
  return (await import('./sign.js')).signerFromFlags(flags);
}

/** `verify`'s verifier from the flags; its module (and core's verifying code) is loaded on this call. */
export async function verifierFromFlags(flags: VerifierFlags): Promise<BundleVerifier> {
  return (await import('./verify.js')).verifierFromFlags(flags);
}

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
