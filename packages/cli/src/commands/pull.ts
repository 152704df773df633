// `modelseal pull REF DEST`: download a model artifact, verifying every byte, and move it into DEST atomically.
import type { Command } from 'commander';
import { pullModel } from '@modelseal/core/transfer';
import { interruptible } from '../interrupt.js';
import { formatBytes, pinnedReference, printJson, progressBar, humanLine } from '../output.js';
import {
  addConcurrencyFlag,
  addRegistryFlags,
  concurrencyFrom,
  registryOptionsFrom,
  type ConcurrencyFlags,
  type RegistryFlags,
} from './registry-flags.js';
import { collect } from './repeatable-option.js';
import { addPolicyPullFlags, pullWithPolicyCli, type PolicyPullFlags } from './policy-pull.js';
import { addVerifierFlags, verifierFromFlags, type VerifierFlags } from './attest-flags.js';
import { warningWithFlags } from '../error-hint.js';

/** The parsed flags of `pull`. */
interface PullFlags extends RegistryFlags, ConcurrencyFlags, PolicyPullFlags, VerifierFlags {
  include: string[];
  /** --strict true, --no-strict false, neither: strict only with --verify or --policy */
  strict?: boolean;
  json: boolean;
  verify: boolean;
}

export function registerPull(program: Command): void {
  const cmd = program
    .command('pull')
    .description(
      'Pull a model artifact into DEST, checking every layer digest; DEST appears only when all of it verified',
    )
    .argument('<ref>', 'registry[:port]/repository[:tag|@sha256:...] or oci:LAYOUT_DIR[:tag|@sha256:...]')
    .argument('<dest>', 'destination directory (must not exist, or be empty)')
    .option(
      '--include <glob>',
      'only pull matching files (repeatable; without "/" the glob matches file names)',
      collect,
      [],
    )
    .option(
      '--strict',
      'refuse an artifact that carries paths verify ignores (.git, .gitattributes, .github, .gitignore, model.sig) instead of skipping them (the default with --verify or --policy)',
    )
    .option('--no-strict', 'with --verify or --policy: skip such paths with a warning instead')
    .option('--json', 'print {"reference","digest","format","files"} (and "skipped" paths) as JSON', false)
    .option(
      '--verify',
      'verify the OMS signature (referrer) before any layer is fetched, and every file against it; needs --key, --certificate-chain or keyless identity flags',
      false,
    );
  addRegistryFlags(cmd);
  addConcurrencyFlag(cmd);
  addPolicyPullFlags(cmd);
  addVerifierFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Reads CNCF ModelPack (and legacy vnd.cnai), KitOps ModelKits, Docker model artifacts and ORAS file
artifacts. Unsafe paths (absolute, '..', duplicates, links out of the tree) are refused before
anything is written. Paths that verify ignores (top-level .git, .gitattributes, .github, .gitignore,
model.sig) are never written: each is skipped with a warning, or with --strict (the default with
--verify and --policy; --no-strict skips them) the whole artifact is refused (IGNORED_PATH, exit 1). A new DEST appears in one rename once every digest matched; into an
existing empty directory (a mount point such as a Kubernetes emptyDir) the files are moved once
verified, and .modelseal-complete is written last: wait for that file before loading the model.
Ctrl-C or SIGTERM removes the staging directory and leaves DEST as it was (exit 130 / 143).
Exit code 1 means the artifact failed verification.

Examples:
  $ modelseal pull 127.0.0.1:5000/models/my-model:v1 ./my-model
  $ modelseal pull oci:./layout@sha256:4f0c... ./my-model
  $ modelseal pull registry.local/ns/m:v1 ./tokenizer-only --include 'tokenizer*' --include '*.json'
  $ modelseal pull 127.0.0.1:5000/models/my-model:v1 ./my-model --verify --key model.pub
  $ modelseal pull 127.0.0.1:5000/models/my-model:v1 /models/m --policy policy.yaml --result /models/result.json
With --policy the verdict and what landed go to stderr, --result is written on every verdict, and the
OMS signature the policy bound lands as DEST/model.sig (so modelseal watch DEST --key works).
`,
  );
  cmd.action(async (ref: string, dest: string, flags: PullFlags) => {
    const options = await registryOptionsFrom(flags);
    if (flags.policy !== undefined) {
      return pullWithPolicyCli(ref, dest, flags.policy, flags, {
        ...options,
        concurrency: concurrencyFrom(flags),
        ignoredPaths: flags.strict === false ? 'skip' : 'refuse',
      });
    }
    const verify = flags.verify
      ? (await import('@modelseal/core/attest')).pullVerification({
          verifier: await verifierFromFlags(flags),
        })
      : undefined;
    const bar = progressBar('pulling');
    const t0 = performance.now();
    let result;
    try {
      result = await interruptible(
        `pull of ${ref} stopped; staging removed, ${dest} left as it was`,
        (signal) =>
          pullModel(ref, dest, {
            ...options,
            concurrency: concurrencyFrom(flags),
            include: flags.include,
            ...(verify ? { verify } : {}),
            onProgress: (p) => bar.update(p),
            ignoredPaths:
              flags.strict === true || (verify !== undefined && flags.strict !== false) ? 'refuse' : 'skip',
            onWarning: (w) => process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`)),
            signal,
          }),
      );
    } finally {
      bar.stop();
    }
    // what the signature check left out (unreadable referrers) and its own warnings
    const warnings = verify?.result?.warnings ?? [];
    for (const w of warnings) process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`));
    if (flags.json) {
      const { skipped, ...rest } = result;
      printJson({ ...rest, ...(skipped.length > 0 ? { skipped } : {}), ...(verify ? { warnings } : {}) });
      return;
    }
    const bytes = result.files.reduce((n, f) => n + f.size, 0);
    process.stdout.write(humanLine(pinnedReference(result.reference, result.digest)));
    process.stderr.write(
      humanLine(
        `pulled ${result.files.length} files (${formatBytes(bytes)}, ${result.format}) into ${dest} in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
      ),
    );
  });
}
