// The registry flags every command that takes an artifact reference has: --plain-http, --username +
// --password-stdin, --registry-config, --timeout (or MODELSEAL_TIMEOUT), --max-referrers (or
// MODELSEAL_MAX_REFERRERS); and --concurrency for the commands that move blobs (push, pull, copy).
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  ModelsealError,
  loadDockerCredentials,
  readPasswordStdin,
  type OpenTargetOptions,
} from '@modelseal/core/transfer';

/** The parsed registry flags (commander attribute names; see addRegistryFlags). */
export interface RegistryFlags {
  plainHttp: boolean;
  username?: string;
  passwordStdin: boolean;
  registryConfig?: string;
  timeout?: string;
  maxReferrers?: string;
}

/** The parsed --concurrency of push, pull and copy (see addConcurrencyFlag). */
export interface ConcurrencyFlags {
  concurrency: string;
}

/** The long names addRegistryFlags adds, in help order (what the program-walking test checks). */
export const REGISTRY_FLAG_NAMES = [
  '--plain-http',
  '--username',
  '--password-stdin',
  '--registry-config',
  '--timeout',
  '--max-referrers',
] as const;

/**
 * Add the registry flags to a command that takes an artifact reference (REF, or MODEL|REF). Read
 * them with registryOptionsFrom, only once the argument is known to be a reference.
 */
export function addRegistryFlags(cmd: Command): Command {
  return cmd
    .option(
      '--plain-http',
      'talk plain HTTP to the registry (default only for localhost / 127.0.0.1 / [::1])',
      false,
    )
    .option(
      '--username <user>',
      'registry user name, with --password-stdin (default: credentials from $DOCKER_CONFIG/config.json or ~/.docker/config.json, then the podman auth file)',
    )
    .option('--password-stdin', 'read the registry password or token from stdin (needs --username)', false)
    .option(
      '--registry-config <file>',
      'take registry credentials from this Docker config file (auths, credHelpers, credsStore) instead of the default ones',
    )
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

/** Add --concurrency (blobs transferred at once) to push, pull or copy. */
export function addConcurrencyFlag(cmd: Command): Command {
  return cmd.option('--concurrency <n>', 'blobs transferred at once', '4');
}

/**
 * The first registry flag given on the command line, if any (environment variables do not count):
 * a model on disk takes none of them.
 */
export function registryFlagGiven(flags: RegistryFlags): string | undefined {
  if (flags.plainHttp) return '--plain-http';
  if (flags.username !== undefined) return '--username';
  if (flags.passwordStdin) return '--password-stdin';
  if (flags.registryConfig !== undefined) return '--registry-config';
  if (flags.timeout !== undefined) return '--timeout';
  if (flags.maxReferrers !== undefined) return '--max-referrers';
  return undefined;
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

/** --concurrency as a number; USAGE unless an integer from 1 to 64. */
export function concurrencyFrom(flags: ConcurrencyFlags): number {
  const n = Number(flags.concurrency);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    throw new ModelsealError(
      'USAGE',
      `--concurrency must be an integer from 1 to 64, got '${flags.concurrency}'`,
    );
  }
  return n;
}

/**
 * The registry options the flags (and MODELSEAL_TIMEOUT, MODELSEAL_MAX_REFERRERS) ask for. Reads the
 * password from stdin with --password-stdin. Throws USAGE for a bad value or a flag without its
 * partner, NOT_FOUND for a --registry-config file that does not exist.
 */
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
  if (flags.registryConfig !== undefined) {
    if (flags.username !== undefined)
      throw new ModelsealError('USAGE', 'give either --username or --registry-config, not both');
    const configFile = flags.registryConfig;
    try {
      await access(configFile);
    } catch {
      throw new ModelsealError('NOT_FOUND', `--registry-config ${configFile}: no such file`);
    }
    // only this file: no fallback to the default Docker config or the podman auth file
    opts.credentials = (registry: string) => loadDockerCredentials(registry, { configFile });
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
