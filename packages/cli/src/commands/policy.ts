// `modelseal policy check FILE` lints a ModelPolicy; `modelseal policy init` prints a commented example.
import type { Command } from 'commander';
import { EXAMPLE_POLICY, loadPolicy, type ModelPolicy } from '@modelseal/core/policy';
import { printJson } from '../output.js';

/** The blocks a policy requires, as check-name prefixes (signatures.oms, provenance, ...). */
function requiredBlocks(p: ModelPolicy): string[] {
  const req = p.spec.require;
  return [
    ...(['oms', 'cosign'] as const).filter((k) => req.signatures[k]).map((k) => `signatures.${k}`),
    ...(['provenance', 'sbom', 'weights'] as const).filter((k) => req[k] !== undefined),
  ];
}

export function registerPolicy(program: Command): void {
  const policy = program
    .command('policy')
    .description('Write and lint ModelPolicy files (apiVersion modelseal.dev/v1alpha1)');
  policy.addHelpText(
    'after',
    `
Examples:
  $ modelseal policy init > policy.yaml
  $ modelseal policy check policy.yaml
  $ modelseal verify ./my-model --policy policy.yaml --json
`,
  );

  const check = policy
    .command('check')
    .description('Validate a policy file: schema, anchored patterns, SPDX ids, identity names')
    .argument('<file>', 'policy file (YAML or JSON)')
    .option('--json', 'print the summary as JSON', false);
  check.addHelpText(
    'after',
    `
Exit 0 when the policy is valid, 2 with one line naming the line, column and field otherwise:
  modelseal: error[POLICY_INVALID]: policy.yaml: line 12, column 5: spec.require.provenence: unknown field ...
`,
  );
  check.action(async (file: string, flags: { json?: boolean }) => {
    const loaded = await loadPolicy(file);
    const p = loaded.policy;
    const summary = {
      valid: true,
      name: p.metadata.name,
      digest: loaded.digest,
      mode: p.spec.mode,
      identities: Object.keys(p.spec.identities),
      requires: requiredBlocks(p),
    };
    if (flags.json) printJson(summary);
    else {
      process.stdout.write(
        `${file}: policy ${summary.name} is valid (${summary.digest})\n` +
          `  mode: ${summary.mode}\n  identities: ${summary.identities.join(', ')}\n  requires: ${summary.requires.join(', ')}\n`,
      );
    }
  });

  policy
    .command('init')
    .description('Print a commented example policy to start from')
    .action(() => {
      process.stdout.write(EXAMPLE_POLICY);
    });
}
