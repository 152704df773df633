// --key, --certificate, --certificate-chain and --tlog-upload as `sign`, `attest` and `push --sign` take them: flag
// definitions only (commander), so adding them costs a command no start-up.
import type { Command } from 'commander';
import { collect } from './repeatable-option.js';

/** The parsed key and certificate signing flags (see addKeySignFlags). */
export interface KeySignFlags {
  key?: string;
  certificate?: string;
  certificateChain: string[];
  tlogUpload?: boolean;
}

/** --key, --certificate, --certificate-chain and --tlog-upload: key and certificate signing, as `sign` and `attest` take them. */
export function addKeySignFlags(cmd: Command): Command {
  return cmd
    .option(
      '--key <file>',
      'private key (PEM, or cosign encrypted key; password from COSIGN_PASSWORD or a prompt)',
    )
    .option('--certificate <file>', 'signing certificate (PEM) for --key: certificate mode')
    .option(
      '--certificate-chain <file>',
      'intermediate certificates to embed after the signing certificate; repeatable',
      collect,
      [],
    )
    .option(
      '--tlog-upload',
      "log the --key signature in the Rekor transparency log of the signing config (default public-good's, as cosign); without it, cosign verifies the signature only with --insecure-ignore-tlog",
    );
}
