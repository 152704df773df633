// Builds the commander program, runs it, and maps errors to exit codes:
// 0 success, 1 verification failed, 2 bad usage or unreadable input.
// Only the command being run is loaded (start-up time), all of them for help and unknown input.
import { Command, CommanderError } from 'commander';
import { isModelsealError } from '@modelseal/core/hashing';
import { Interrupted } from './interrupt.js';
import { asTypedError, humanLine, printError } from './output.js';
import { EXIT_OK, EXIT_USAGE, EXIT_VERIFY_FAILED } from './exit-codes.js';

type Register = (program: Command) => void;

const loadAttest = async (): Promise<Register> => (await import('./commands/attest.js')).registerAttest;

/** Each top-level command's module, loaded on demand; in help order. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  hash: async () => (await import('./commands/hash.js')).registerHash,
  sign: async () => (await import('./commands/sign.js')).registerSign,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  keygen: async () => (await import('./commands/keygen.js')).registerKeygen,
  push: async () => (await import('./commands/push.js')).registerPush,
  pull: async () => (await import('./commands/pull.js')).registerPull,
  inspect: async () => (await import('./commands/inspect.js')).registerInspect,
  copy: async () => (await import('./commands/copy.js')).registerCopy,
  policy: async () => (await import('./commands/policy.js')).registerPolicy,
  scan: async () => (await import('./commands/scan.js')).registerScan,
  watch: async () => (await import('./commands/watch.js')).registerWatch,
  provenance: async () => (await import('./commands/provenance.js')).registerProvenance,
  sbom: async () => (await import('./commands/sbom.js')).registerSbom,
  attest: loadAttest,
  'verify-attestation': loadAttest,
  admission: async () => (await import('./commands/admission.js')).registerAdmission,
};

/** The command named on the command line (the first argument that is not an option), if known. */
function commandIn(argv: string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/** `error: unknown option '--x'\n(Did you mean --y?)` -> `unknown option '--x' (Did you mean --y?); see --help` */
function commanderMessage(s: string): string {
  const text = s
    .replace(/^error: /, '')
    .trim()
    .split('\n')
    .join(' ')
    .replace(/\.$/, '');
  return `${text}; see --help`;
}

/** Build the program with every command, or with only the one `argv` runs. */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('modelseal')
    .description(
      'Hash, sign, package and verify ML models (OpenSSF Model Signing, Sigstore, OCI).\n' +
        'Signatures are Sigstore bundles compatible with the Python model_signing CLI and cosign.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // Commander's own errors (missing argument, unknown option...) follow the one-line contract.
      outputError: (s, write) => write(humanLine(`modelseal: error[USAGE]: ${commanderMessage(s)}`)),
    });
  const only = argv && commandIn(argv);
  const versionOnly = argv?.length === 3 && (argv[2] === '--version' || argv[2] === '-V');
  const loaders = only ? [COMMANDS[only]] : versionOnly ? [] : [...new Set(Object.values(COMMANDS))];
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof Interrupted) {
      process.stderr.write(humanLine(`modelseal: ${e.message}`));
      return e.exitCode;
    }
    printError(e);
    const typed = asTypedError(e);
    if (isModelsealError(typed)) return typed.kind === 'verification' ? EXIT_VERIFY_FAILED : EXIT_USAGE;
    return EXIT_USAGE;
  }
}
