// Builds the commander program, runs it, and maps errors to exit codes:
// 0 success, 1 verification failed, 2 bad usage or unreadable input.
import { Command, CommanderError } from 'commander';
import { isModelsealError } from '@modelseal/core';
import { registerHash } from './commands/hash.js';
import { registerSign } from './commands/sign.js';
import { registerVerify } from './commands/verify.js';
import { registerKeygen } from './commands/keygen.js';
import { registerOci } from './commands/oci.js';
import { printError } from './output.js';

export const EXIT_OK = 0;
export const EXIT_VERIFY_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('modelseal')
    .description(
      'Hash, sign, package and verify ML models (OpenSSF Model Signing, Sigstore, OCI).\n' +
        'Signatures are Sigstore bundles compatible with the Python model_signing CLI and cosign.',
    )
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerHash(program);
  registerSign(program);
  registerVerify(program);
  registerKeygen(program);
  registerOci(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    printError(e);
    if (isModelsealError(e)) return e.kind === 'verification' ? EXIT_VERIFY_FAILED : EXIT_USAGE;
    return EXIT_USAGE;
  }
}
