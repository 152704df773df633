// `modelseal watch DIR --signature SIG`: a sidecar that re-verifies a deployed model on file-system
// events and at an interval, printing each drift as a JSON line; `--once` checks once (exit 1 on drift).
import type { Command } from 'commander';
import { ModelsealError } from '@modelseal/core';
import { checkModelDrift, runDriftCommand, watchModel, type DriftEvent } from '@modelseal/core/watch';
import { EXIT_VERIFY_FAILED } from '../program.js';
import { addKeylessVerifyFlags } from './keyless-flags.js';
import { jobsFrom, maxJobs } from './hashing-flags.js';
import { collect } from './repeatable-option.js';
import { verifierFromFlags } from './verify.js';

/** `300`, `300s`, `5m`, `1h`, `250ms` -> milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m
    ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']
    : NaN;
  if (!(ms >= 100 && ms <= 7 * 24 * 3_600_000))
    throw new ModelsealError(
      'USAGE',
      `${flag} must be a duration from 100ms to 168h (e.g. 30s, 5m), got '${text}'`,
    );
  return ms;
}

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .description(
      'Re-verify a deployed model on file-system events and at an interval; print drift as JSON lines',
    )
    .argument('<model>', 'model directory (as deployed, e.g. the shared volume an inference server reads)')
    .option('--signature <path>', 'signature to check against (default MODEL/model.sig)')
    .option('--key <file>', 'public key (PEM) the model was signed with')
    .option('--certificate-chain <file>', 'trust anchor certificates (PEM); repeatable', collect, [])
    .option('--interval <duration>', 'full re-hash interval (e.g. 30s, 5m, 1h)', '5m')
    .option('--once', 'check once and exit: 0 unchanged, 1 drift (for cron and CI)', false)
    .option(
      '--exec <command>',
      'run this shell command on drift (events on stdin as JSON lines and in $MODELSEAL_DRIFT)',
    )
    .option('--jobs <n>', `hashing threads (at most ${maxJobs()})`, '1');
  cmd.addHelpText(
    'after',
    `
The signature is verified first (with --key, --certificate-chain or the keyless identity flags). Then
every write, added or removed file, mode or owner change is printed on stdout as one JSON line:
  {"time":"2026-01-01T00:00:00.000Z","path":"model.safetensors","change":"modified","detail":"..."}
changes: modified, added, removed, mode, owner, restored, invalid. Between full re-hashes only files whose
size, mtime, ctime or inode changed are re-hashed. Progress and notes go to stderr.

Examples:
  $ modelseal watch /models/llama --key model.pub
  $ modelseal watch /models/llama --key model.pub --once            # cron / CI: exit 1 on drift
  $ modelseal watch /models/llama --key model.pub --exec 'curl -s -X POST --data-binary @- $HOOK'
`,
  );
  addKeylessVerifyFlags(cmd);
  cmd.action(async (model: string, flags: Record<string, unknown>) => {
    const intervalMs = parseDuration(String(flags.interval), '--interval');
    const jobs = jobsFrom(flags.jobs);
    const verifier = await verifierFromFlags(flags);
    const exec = flags.exec as string | undefined;
    const print = (e: DriftEvent): void => void process.stdout.write(`${JSON.stringify(e)}\n`);
    const common = {
      verifier,
      jobs,
      ...(typeof flags.signature === 'string' ? { signaturePath: flags.signature } : {}),
    };
    if (flags.once === true) {
      const events = await checkModelDrift(model, { ...common, onDrift: print });
      if (events.length > 0) {
        if (exec) await runDriftCommand(exec, events);
        process.exitCode = EXIT_VERIFY_FAILED;
      }
      return;
    }
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    let hook = Promise.resolve();
    await watchModel(model, {
      ...common,
      intervalMs,
      signal: controller.signal,
      onDrift: print,
      onCheck: (kind, s) => {
        if (kind === 'initial') process.stderr.write(`modelseal: watching ${s.files} files of ${model}\n`);
        if (exec && s.events.length > 0)
          hook = hook.then(() => runDriftCommand(exec, s.events).then(() => undefined));
      },
    });
    await hook;
  });
}
