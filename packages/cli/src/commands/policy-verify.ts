// `modelseal verify MODEL|REF --policy FILE`: verify a model's OMS signature and attestation
// bundles (files beside a directory, referrers of an artifact) with the policy's identities, evaluate the policy, and report every check (text, --json,
// --result FILE), optionally writing a SLSA VSA (--vsa FILE, signed with --vsa-key).
// Exit 0 allowed (or audit mode), 1 denied in enforce mode, 2 bad policy or input.
import type { Command } from 'commander';
import type { ModelSource } from '@modelseal/core';
import {
  evaluatePolicy,
  gatherEvidence,
  loadPolicy,
  policyFailure,
  policyVerifier,
  type PolicyResult,
} from '@modelseal/core/policy';
import { humanLine, pinnedReference, printJson } from '../output.js';
import { policyTrustFromFlags, type KeylessVerifyFlags } from './keyless-flags.js';
import { writePolicyOutputs, type PolicyOutputFlags } from './policy-outputs.js';
import { jobsFrom } from './hashing-flags.js';
import { collect } from './repeatable-option.js';

/** The parsed policy flags of `verify` (see addPolicyVerifyFlags). */
export interface PolicyVerifyFlags extends PolicyOutputFlags {
  policy?: string;
  attestation: string[];
}

/** Add the policy flags to `verify`. */
export function addPolicyVerifyFlags(cmd: Command): Command {
  return cmd
    .option(
      '--policy <file>',
      'evaluate this ModelPolicy (identities, attestations, licences...) instead of the flags',
    )
    .option(
      '--attestation <file>',
      'with --policy: an attestation bundle to verify and use; repeatable',
      collect,
      [],
    )
    .option('--result <file>', 'with --policy: also write the result JSON here')
    .option('--vsa <file>', 'with --policy: write a SLSA Verification Summary Attestation here')
    .option('--vsa-key <file>', 'sign the VSA with this private key (password from COSIGN_PASSWORD)');
}

function printChecks(result: PolicyResult): void {
  const lines = result.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.reason}`);
  const verdict = result.allowed
    ? 'allowed'
    : result.enforced
      ? 'denied'
      : 'denied (audit mode: not enforced)';
  for (const line of lines) process.stdout.write(humanLine(line));
  process.stdout.write(humanLine(`policy ${result.policy.name} (${result.policy.digest}): ${verdict}`));
}

/**
 * Run `verify MODEL|REF --policy FILE` on an opened source (see openModelArgument). Throws the first
 * failed check's error when enforced.
 */
export async function verifyWithPolicy(
  source: ModelSource,
  policyFile: string,
  flags: PolicyVerifyFlags &
    Pick<KeylessVerifyFlags, 'trustedRoot' | 'tufRefresh' | 'tufCacheDir' | 'staging'> & {
      signature?: string;
      jobs?: string;
      strict?: boolean;
      json: boolean;
    },
): Promise<void> {
  const jobs = flags.jobs !== undefined ? jobsFrom(flags.jobs) : undefined;
  const loaded = await loadPolicy(policyFile);
  const verifier = policyVerifier(loaded.policy, policyTrustFromFlags(flags));
  // On disk: the bundles beside the model; for a reference: its referrers (weights are not
  // downloaded unless the policy's weights block needs them scanned).
  const gathered = await gatherEvidence(source, {
    verifier,
    signaturePath: flags.signature,
    attestationPaths: flags.attestation,
    jobs,
    strict: flags.strict !== false,
    scan: loaded.policy.spec.require.weights !== undefined,
  });
  const { evidence } = gathered;
  const result = evaluatePolicy(loaded, evidence);
  const resourceUri =
    gathered.kind === 'artifact' ? pinnedReference(gathered.ref, gathered.digest) : gathered.path;
  await writePolicyOutputs(result, flags, { resourceUri, digests: evidence.subjectDigests });
  if (flags.json) printJson(result);
  else printChecks(result);
  const failure = policyFailure(result);
  if (failure) throw failure;
}
