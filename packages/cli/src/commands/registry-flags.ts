// Flags shared by the OCI commands: --plain-http, --username + --password-stdin, --concurrency,
// --timeout.
import type { Command } from 'commander';
import { ModelsealError, readPasswordStdin, type OpenTargetOptions } from '@modelseal/core/transfer';

/** The parsed registry flags (commander attribute names; see addRegistryFlags). */
export interface RegistryFlags {
  plainHttp: boolean;
  username?: string;
  passwordStdin: boolean;
  concurrency: string;
  timeout?: string;
}

export function addRegistryFlags(cmd: Command): Command {
  return cmd
    .option(
      '--plain-http',
      'talk plain HTTP to the registry (default only for localhost / 127.0.0.1 / [::1])',
      false,
    )
    .option('--username <user>', 'registry user name (default: credentials from ~/.docker/config.json)')
    .option('--password-stdin', 'read the registry password or token from stdin', false)
    .option('--concurrency <n>', 'blobs transferred at once', '4')
    .option(
      '--timeout <seconds>',
      'registry network timeout for each phase: connecting, waiting for an answer, and silence mid-transfer ' +
        '(default 30 s to connect, 60 s otherwise; failed requests are retried at most 4 times within 5 min)',
    );
}

/** --timeout SECONDS as per-phase timeouts in ms (a positive number up to one hour). */
function timeoutsFrom(s: string): OpenTargetOptions['timeouts'] {
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(s) ? Number(s) : NaN;
  if (!(seconds > 0 && seconds <= 3600))
    throw new ModelsealError('USAGE', `--timeout must be a number of seconds from 0.001 to 3600, got '${s}'`);
  const ms = Math.max(1, Math.round(seconds * 1000));
  return { connectMs: ms, headersMs: ms, idleMs: ms };
}

export function concurrencyFrom(flags: Pick<RegistryFlags, 'concurrency'>): number {
  const n = Number(flags.concurrency);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    throw new ModelsealError(
      'USAGE',
      `--concurrency must be an integer from 1 to 64, got '${flags.concurrency}'`,
    );
  }
  return n;
}

export async function registryOptionsFrom(flags: RegistryFlags): Promise<OpenTargetOptions> {
  const opts: OpenTargetOptions = {};
  if (flags.plainHttp) opts.plainHttp = true;
  if (flags.timeout !== undefined) opts.timeouts = timeoutsFrom(flags.timeout);
  if (flags.passwordStdin && flags.username === undefined) {
    throw new ModelsealError('USAGE', '--password-stdin needs --username');
  }
  if (flags.username !== undefined) {
    if (!flags.passwordStdin)
      throw new ModelsealError(
        'USAGE',
        '--username needs --password-stdin (passwords are never taken as arguments)',
      );
    opts.credentials = { username: flags.username, password: await readPasswordStdin(process.stdin) };
  }
  return opts;
}
