// The --follow flags shared by `sign` and `push`: follow a directory while a training job writes
// it, and the completion conditions that end the follow (marker file, writer pid, quiet period).
import type { Command } from 'commander';
import { ModelsealError } from '@modelseal/core/hashing';
import { parseDuration } from './duration-flag.js';

/** The parsed --follow flags (commander attribute names). */
export interface FollowFlags {
  follow: boolean;
  untilFile?: string;
  untilPid?: string;
  quietPeriod?: string;
}

/** The follow options the flags ask for: completion conditions in library terms. */
export interface FollowSettings {
  untilFile?: string;
  untilPid?: number;
  quietPeriodMs?: number;
}

/** Add --follow, --until-file, --until-pid and --quiet-period. */
export function addFollowFlags(cmd: Command): Command {
  return cmd
    .option(
      '--follow',
      'follow the directory while it is written: hash each file once closed, sign when complete',
      false,
    )
    .option(
      '--until-file <path>',
      'with --follow: complete when this marker file exists (relative to the model directory)',
    )
    .option('--until-pid <pid>', 'with --follow: complete when this process (the writer) has exited')
    .option(
      '--quiet-period <duration>',
      'with --follow: complete after no file changed for this long (default 30s without --until-*)',
    );
}

/** Check the --follow flags; throws USAGE for a condition without --follow or a bad value. */
export function followSettingsFrom(flags: FollowFlags): FollowSettings | undefined {
  const given = ['untilFile', 'untilPid', 'quietPeriod'].filter(
    (k) => flags[k as keyof FollowFlags] !== undefined,
  );
  if (!flags.follow) {
    if (given.length > 0)
      throw new ModelsealError('USAGE', '--until-file, --until-pid and --quiet-period need --follow');
    return undefined;
  }
  const out: FollowSettings = {};
  if (flags.untilFile !== undefined) {
    if (flags.untilFile === '') throw new ModelsealError('USAGE', '--until-file must name a file');
    out.untilFile = flags.untilFile;
  }
  if (flags.untilPid !== undefined) {
    const pid = /^[0-9]+$/.test(flags.untilPid) ? Number(flags.untilPid) : NaN;
    if (!Number.isSafeInteger(pid) || pid < 1)
      throw new ModelsealError('USAGE', `--until-pid must be a process id, got '${flags.untilPid}'`);
    out.untilPid = pid;
  }
  if (flags.quietPeriod !== undefined) out.quietPeriodMs = parseDuration(flags.quietPeriod, '--quiet-period');
  return out;
}
