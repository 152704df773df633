// `modelseal watch DIR --signature SIG` (or `--ref REF`, or `--policy FILE --ref REF`): a sidecar that
// re-verifies a deployed model on file-system events and at an interval, printing each drift as a
// JSON line; `--once` checks once (exit 1 on drift).
import type { Command } from 'commander';
import { ModelsealError, type BundleVerifier } from '@modelseal/core';
import { evaluateReferencePolicy, loadPolicy, policyFailure, policyVerifier } from '@modelseal/core/policy';
import type { OpenTargetOptions } from '@modelseal/core/transfer';
import { checkModelDrift, runDriftCommand, watchModel, type DriftEvent } from '@modelseal/core/watch';
import { humanLine, pinnedReference } from '../output.js';
import { EXIT_VERIFY_FAILED } from '../exit-codes.js';
import { addKeylessVerifyFlags, policyTrustFromFlags } from './keyless-flags.js';
import { addRegistryFlags, registryOptionsFrom, type RegistryFlags } from './registry-flags.js';
import { jobsFrom, maxJobs } from './hashing-flags.js';
import { collect } from './repeatable-option.js';
import { verifierFromFlags, type VerifierFlags } from './verify.js';
import { parseDuration } from './duration-flag.js';

/** The parsed flags of `watch`. */
interface WatchFlags extends VerifierFlags, RegistryFlags {
  signature?: string;
  ref?: string;
  policy?: string;
  interval: string;
  once: boolean;
  exec?: string;
  jobs: string;
}

/** Where the signed state comes from: a signature file, or an artifact (checked against a policy first). */
async function signedStateFrom(flags: WatchFlags): Promise<{
  verifier: BundleVerifier;
  signaturePath?: string;
  reference?: string;
  registry?: OpenTargetOptions;
}> {
  const { ref } = flags;
  if (ref === undefined) {
    if (flags.policy !== undefined)
      throw new ModelsealError('USAGE', '--policy needs --ref REF: the artifact the policy is evaluated on');
    const verifier = await verifierFromFlags(flags);
    return { verifier, ...(flags.signature !== undefined ? { signaturePath: flags.signature } : {}) };
  }
  if (flags.signature !== undefined)
    throw new ModelsealError('USAGE', 'give either --signature FILE or --ref REF, not both');
  const registry = await registryOptionsFrom(flags);
  if (flags.policy === undefined)
    return { verifier: await verifierFromFlags(flags), reference: ref, registry };
  const identityFlags = [flags.key, flags.certificateIdentity, flags.certificateIdentityRegexp].filter(
    (f) => f !== undefined,
  );
  if (identityFlags.length > 0 || flags.certificateChain.length > 0)
    throw new ModelsealError(
      'USAGE',
      '--policy names who may sign: leave out --key, --certificate-chain and --certificate-identity',
    );
  const loaded = await loadPolicy(flags.policy);
  const verifier = policyVerifier(loaded.policy, policyTrustFromFlags(flags));
  const { result, digest, shown } = await evaluateReferencePolicy(ref, loaded, { ...registry, verifier });
  const failure = policyFailure(result);
  if (failure) throw failure;
  if (!result.allowed)
    process.stderr.write(
      humanLine(
        `modelseal: warning: policy ${result.policy.name} denies ${shown} (audit mode: watching anyway)`,
      ),
    );
  return { verifier, reference: pinnedReference(ref, digest), registry };
}

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .description(
      'Re-verify a deployed model on file-system events and at an interval; print drift as JSON lines',
    )
    .argument('<model>', 'model directory (as deployed, e.g. the shared volume an inference server reads)')
    .option('--signature <path>', 'signature to check against (default MODEL/model.sig)')
    .option(
      '--ref <reference>',
      "take the signed state from this artifact's OMS signature referrer (registry or oci:LAYOUT) instead of a file",
    )
    .option(
      '--policy <file>',
      'with --ref: evaluate this ModelPolicy on the artifact first (denied = exit 1), then watch with its identities',
    )
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
The signature is verified first (with --key, --certificate-chain or the keyless identity flags; with
--ref, the OMS signature attached to the artifact; with --policy, the policy's identities, after the
whole policy passed on the artifact: the watch then follows the digest that was allowed). Then
every write, added or removed file, mode or owner change is printed on stdout as one JSON line:
  {"time":"2026-01-01T00:00:00.000Z","path":"model.safetensors","change":"modified","detail":"..."}
changes: modified, added, removed, mode, owner, restored, invalid. Between full re-hashes only files whose
size, mtime, ctime or inode changed are re-hashed. Progress and notes go to stderr.

Examples:
  $ modelseal watch /models/llama --key model.pub
  $ modelseal watch /models/llama --key model.pub --once            # cron / CI: exit 1 on drift
  $ modelseal watch /models/llama --key model.pub --exec 'curl -s -X POST --data-binary @- $HOOK'
  $ modelseal watch /models/llama --policy policy.yaml --ref registry.example.com/models/llama:v1
`,
  );
  addKeylessVerifyFlags(cmd);
  addRegistryFlags(cmd);
  cmd.action(async (model: string, flags: WatchFlags) => {
    const intervalMs = parseDuration(flags.interval, '--interval');
    const jobs = jobsFrom(flags.jobs);
    const source = await signedStateFrom(flags);
    const { exec } = flags;
    const print = (e: DriftEvent): void => void process.stdout.write(`${JSON.stringify(e)}\n`);
    const common = { ...source, jobs };
    if (flags.once) {
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
        if (kind === 'initial')
          process.stderr.write(humanLine(`modelseal: watching ${s.files} files of ${model}`));
        if (exec && s.events.length > 0)
          hook = hook.then(() => runDriftCommand(exec, s.events).then(() => undefined));
      },
    });
    await hook;
  });
}
