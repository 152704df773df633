// Flags shared by the OCI commands: --plain-http, --username + --password-stdin, --concurrency.
import type { Command } from 'commander';
import { ModelsealError, readPasswordStdin, type OpenTargetOptions } from '@modelseal/core';

export function addRegistryFlags(cmd: Command): Command {
  return cmd
    .option(
      '--plain-http',
      'talk plain HTTP to the registry (default only for localhost / 127.0.0.1 / [::1])',
      false,
    )
    .option('--username <user>', 'registry user name (default: credentials from ~/.docker/config.json)')
    .option('--password-stdin', 'read the registry password or token from stdin', false)
    .option('--concurrency <n>', 'blobs transferred at once', '4');
}

export function concurrencyFrom(flags: Record<string, unknown>): number {
  const n = Number(flags.concurrency);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    throw new ModelsealError(
      'USAGE',
      `--concurrency must be an integer from 1 to 64, got '${String(flags.concurrency)}'`,
    );
  }
  return n;
}

export async function registryOptionsFrom(flags: Record<string, unknown>): Promise<OpenTargetOptions> {
  const opts: OpenTargetOptions = {};
  if (flags.plainHttp === true) opts.plainHttp = true;
  if (flags.passwordStdin === true && typeof flags.username !== 'string') {
    throw new ModelsealError('USAGE', '--password-stdin needs --username');
  }
  if (typeof flags.username === 'string') {
    if (flags.passwordStdin !== true)
      throw new ModelsealError(
        'USAGE',
        '--username needs --password-stdin (passwords are never taken as arguments)',
      );
    opts.credentials = { username: flags.username, password: await readPasswordStdin(process.stdin) };
  }
  return opts;
}
