// Flags shared by the OCI commands: --plain-http, --username + --password-stdin, --concurrency,
// --timeout (or MODELSEAL_TIMEOUT), --max-referrers (or MODELSEAL_MAX_REFERRERS).
import type { Command } from 'commander';
import { ModelsealError, readPasswordStdin, type OpenTargetOptions } from '@modelseal/core/transfer';

/** The parsed registry flags (commander attribute names; see addRegistryFlags). */
export interface RegistryFlags {
  plainHttp: boolean;
  username?: string;
  passwordStdin: boolean;
  concurrency: string;
  timeout?: string;
  maxReferrers?: string;
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
      'registry network timeout: the whole of a manifest, token or referrers request (all retries ' +
        'included), and each phase of a blob transfer (connecting, waiting for an answer, silence ' +
        'mid-transfer); default 60 s (30 s to connect), or MODELSEAL_TIMEOUT. A timed-out host is ' +
        'retried once; a blob body slower than 10 KiB/s over 30 s is cut off',
    )
    .option(
      '--max-referrers <n>',
      'most distinct referrers (signatures, attestations) of one artifact to read; more is refused ' +
        'with TOO_MANY_REFERRERS (default 256, or MODELSEAL_MAX_REFERRERS)',
    );
}

/** The environment variable that sets --max-referrers when the flag is absent. */
const MAX_REFERRERS_ENV = 'MODELSEAL_MAX_REFERRERS';

/** --max-referrers N: an integer from 1 to 100000. */
function maxReferrersFrom(s: string, from: string): number {
  const n = /^[0-9]{1,6}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= 100_000))
    throw new ModelsealError('USAGE', `${from} must be an integer from 1 to 100000, got '${s}'`);
  return n;
}

/** The environment variable that sets --timeout when the flag is absent. */
const TIMEOUT_ENV = 'MODELSEAL_TIMEOUT';

/** --timeout SECONDS as network limits in ms (a positive number up to one hour). */
function timeoutsFrom(s: string, from: string): OpenTargetOptions['timeouts'] {
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(s) ? Number(s) : NaN;
  if (!(seconds > 0 && seconds <= 3600))
    throw new ModelsealError('USAGE', `${from} must be a number of seconds from 0.001 to 3600, got '${s}'`);
  const ms = Math.max(1, Math.round(seconds * 1000));
  return { connectMs: ms, headersMs: ms, idleMs: ms, operationMs: ms };
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
  const envTimeout = process.env[TIMEOUT_ENV];
  if (flags.timeout !== undefined) opts.timeouts = timeoutsFrom(flags.timeout, '--timeout');
  else if (envTimeout !== undefined && envTimeout !== '')
    opts.timeouts = timeoutsFrom(envTimeout, TIMEOUT_ENV);
  const envMax = process.env[MAX_REFERRERS_ENV];
  if (flags.maxReferrers !== undefined)
    opts.maxReferrers = maxReferrersFrom(flags.maxReferrers, '--max-referrers');
  else if (envMax !== undefined && envMax !== '')
    opts.maxReferrers = maxReferrersFrom(envMax, MAX_REFERRERS_ENV);
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
