// `modelseal pull REF DEST --policy FILE`: the init container's entrypoint. Verifies the artifact's
// signatures and attestations against the policy before fetching weights, pulls with digest checks
// into staging, and lets DEST appear only when the whole policy passed. Writes --result (and --vsa)
// for the inference container to read; on failure, one line naming the failed check, exit 1.
import type { Command } from 'commander';
import type { OpenTargetOptions } from '@modelseal/core';
import { formatBytes, humanLine, pinnedReference, printJson } from '../output.js';
import { trustedRootFromFlags } from './keyless-flags.js';
import type { PolicyOutputFlags } from './policy-outputs.js';
import { warningWithFlags } from '../error-hint.js';

/** The parsed policy flags of `pull` (see addPolicyPullFlags). */
export interface PolicyPullFlags extends PolicyOutputFlags {
  policy?: string;
  trustedRoot?: string;
}

/** Add the policy flags to `pull`. */
export function addPolicyPullFlags(cmd: Command): Command {
  return cmd
    .option(
      '--policy <file>',
      'verify signatures and attestations against this ModelPolicy before fetching weights',
    )
    .option('--result <file>', 'with --policy: write the policy result JSON here (e.g. next to DEST)')
    .option('--vsa <file>', 'with --policy: write a SLSA Verification Summary Attestation here')
    .option('--vsa-key <file>', 'sign the VSA with this private key (password from COSIGN_PASSWORD)')
    .option(
      '--trusted-root <file>',
      'keyless, with --verify or --policy: Sigstore trusted_root.json (default: the public-good root shipped with modelseal)',
    );
}

/** Run `pull REF DEST --policy FILE`. */
export async function pullWithPolicyCli(
  ref: string,
  dest: string,
  policyFile: string,
  flags: PolicyPullFlags & { json: boolean },
  options: OpenTargetOptions & { concurrency?: number; ignoredPaths: 'skip' | 'refuse' },
): Promise<void> {
  // Loaded here, not at import: `pull` without --policy starts without the policy engine.
  const { loadPolicy, pullWithPolicy } = await import('@modelseal/core/policy');
  const { writePolicyOutputs } = await import('./policy-outputs.js');
  const { describeSigner } = await import('./describe-signer.js');
  const policy = await loadPolicy(policyFile);
  const trusted = typeof flags.trustedRoot === 'string' ? { trustedRoot: trustedRootFromFlags(flags) } : {};
  const warnings: string[] = [];
  const pulled = await pullWithPolicy(ref, dest, {
    ...options,
    ...trusted,
    policy,
    onWarning: (w) => {
      warnings.push(w);
      process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`));
    },
    // Written on every verdict (allowed, denied, a layer failing its digest), so the reason is next
    // to DEST; the VSA only for a pulled model.
    onResult: (result) =>
      writePolicyOutputs(result, { result: flags.result }, { resourceUri: ref, digests: [] }),
  });
  if (typeof flags.vsa === 'string') {
    await writePolicyOutputs(
      pulled.policy,
      { vsa: flags.vsa, vsaKey: flags.vsaKey },
      {
        resourceUri: pinnedReference(pulled.reference, pulled.digest),
        digests: pulled.subjectDigests, // bound evidence only: never the root of unsigned files
      },
    );
  }
  if (flags.json) printJson({ ...pulled, policy: pulled.policy, warnings });
  else {
    process.stdout.write(humanLine(pinnedReference(ref, pulled.digest)));
    const result = pulled.policy;
    const verdict = result.allowed ? 'allowed' : 'denied (audit mode: not enforced)';
    const bytes = pulled.files.reduce((n, f) => n + f.size, 0);
    process.stderr.write(humanLine(`policy ${result.policy.name} (${result.policy.digest}): ${verdict}`));
    process.stderr.write(
      humanLine(
        `pulled ${pulled.files.length} files (${formatBytes(bytes)}, ${pulled.format}) into ${dest}` +
          (pulled.signer ? ` with model.sig, signed by ${describeSigner(pulled.signer)}` : ''),
      ),
    );
  }
  if (!pulled.policy.allowed) {
    const failed = pulled.policy.checks.filter((c) => !c.passed).map((c) => c.name);
    process.stderr.write(
      humanLine(
        `modelseal: warning: policy ${pulled.policy.policy.name} (audit mode) failed: ${failed.join(', ')}`,
      ),
    );
  }
}
