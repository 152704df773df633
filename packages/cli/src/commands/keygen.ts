// `modelseal keygen`: create a cosign-compatible key pair (PREFIX.key encrypted with
// COSIGN_PASSWORD or a prompted password, PREFIX.pub) for `sign --key` / `verify --key`.
import type { Command } from 'commander';
import { ModelsealError, generateKeyPair } from '@modelseal/core';
import { KEY_ALGORITHMS } from '@modelseal/core/keys';
import { printJson, humanLine } from '../output.js';
import { canPrompt, promptPassword } from './password-prompt.js';

const EMPTY_PASSWORD =
  'the password for the new key is empty; choose one, or pass --no-encrypt for a plain key';

async function newPassword(): Promise<string> {
  const env = process.env.COSIGN_PASSWORD;
  if (env !== undefined) {
    if (env === '')
      throw new ModelsealError('BAD_PASSWORD', `${EMPTY_PASSWORD} (COSIGN_PASSWORD is set but empty)`);
    return env;
  }
  if (!canPrompt()) {
    throw new ModelsealError(
      'BAD_PASSWORD',
      'set COSIGN_PASSWORD to the password for the new key (or pass --no-encrypt); there is no terminal to ask on',
    );
  }
  const first = await promptPassword('Enter password for private key: ');
  if (first === '') throw new ModelsealError('BAD_PASSWORD', EMPTY_PASSWORD);
  const again = await promptPassword('Enter password for private key again: ');
  if (first !== again) throw new ModelsealError('BAD_PASSWORD', 'the two passwords do not match');
  return first;
}

/** The parsed flags of `keygen`. */
interface KeygenFlags {
  outputPrefix: string;
  algorithm: string;
  encrypt: boolean;
  json: boolean;
}

export function registerKeygen(program: Command): void {
  const cmd = program
    .command('keygen')
    .description('Create a signing key pair: PREFIX.key (cosign-encrypted private key) and PREFIX.pub')
    .option('--output-prefix <prefix>', 'file name prefix for the key pair', 'cosign')
    .option(
      '--algorithm <name>',
      `key type: ${KEY_ALGORITHMS.join(', ')} (Python model_signing verifies ECDSA only)`,
      'ecdsa-p256',
    )
    .option('--no-encrypt', 'write the private key as a plain PKCS#8 PEM (no password)')
    .option('--json', 'print the written paths as JSON', false);
  cmd.addHelpText(
    'after',
    `
The encrypted key uses cosign's format (scrypt N=65536, r=8, p=1 + NaCl secretbox), so
'cosign sign-blob --key PREFIX.key' can use it too. Existing files are never overwritten.

Examples:
  $ COSIGN_PASSWORD=s3cret modelseal keygen --output-prefix release
  $ modelseal keygen --output-prefix ci --no-encrypt --algorithm ecdsa-p384
  $ modelseal sign ./my-model --key release.key && modelseal verify ./my-model --key release.pub
`,
  );
  cmd.action(async (flags: KeygenFlags) => {
    const algorithm = KEY_ALGORITHMS.find((a) => a === flags.algorithm);
    if (!algorithm)
      throw new ModelsealError(
        'USAGE',
        `--algorithm must be one of ${KEY_ALGORITHMS.join(', ')}, got '${flags.algorithm}'`,
      );
    const { outputPrefix } = flags;
    if (outputPrefix === '' || /[/\\]$/.test(outputPrefix))
      throw new ModelsealError(
        'USAGE',
        `--output-prefix must name files (PREFIX.key and PREFIX.pub), got '${outputPrefix}'`,
      );
    const { encrypt } = flags;
    const password = encrypt ? await newPassword() : undefined;
    const out = await generateKeyPair({
      outputPrefix,
      password,
      encrypt,
      algorithm,
    });
    if (flags.json)
      printJson({
        privateKey: out.privateKeyPath,
        publicKey: out.publicKeyPath,
        encrypted: encrypt,
        algorithm,
      });
    else
      process.stderr.write(
        humanLine(`wrote ${out.privateKeyPath}${encrypt ? ' (encrypted)' : ''} and ${out.publicKeyPath}`),
      );
  });
}
