// `modelseal policy check FILE` lints a ModelPolicy; `modelseal policy init` prints a commented example,
// or with --key / --certificate-chain a policy that pins that signer.
import type { Command } from 'commander';
import { loadCertificateFiles, loadPublicKeyFile } from '@modelseal/core/keys';
import { EXAMPLE_POLICY, loadPolicy, signerPolicy, type ModelPolicy } from '@modelseal/core/policy';
import { printJson } from '../output.js';
import { collect } from './repeatable-option.js';

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
  $ modelseal policy init --key mykey.pub > policy.yaml
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

  const init = policy
    .command('init')
    .description(
      'Print a policy to start from: a commented example, or one that pins the signer of --key / --certificate-chain',
    )
    .option('--key <file>', 'public key (PEM) that must have made the OMS signature (identity release-key)')
    .option(
      '--certificate-chain <file>',
      'root certificates (PEM) a signing certificate must chain to (identity release-ca; repeatable)',
      collect,
      [],
    )
    .option('--name <name>', 'metadata.name of the policy (a lowercase DNS label)', 'model-release');
  init.addHelpText(
    'after',
    `
Without --key or --certificate-chain, prints an example with every block (a keyless GitHub identity,
provenance, SBOM and weight rules) to edit. With them, prints a policy that passes as it is when the
model's OMS signature verifies with that key or chain and its weights scan clean; the key and the
certificates are copied into the policy, so the policy file is all the verifier needs.

Examples:
  $ modelseal policy init --key mykey.pub > policy.yaml
  $ modelseal policy init --certificate-chain root-ca.pem --name prod-models > policy.yaml
  $ modelseal pull 127.0.0.1:5000/models/my-model:v1 ./deployed --policy policy.yaml
`,
  );
  init.action(async (flags: { key?: string; certificateChain: string[]; name: string }) => {
    if (flags.key === undefined && flags.certificateChain.length === 0) {
      process.stdout.write(EXAMPLE_POLICY);
      return;
    }
    process.stdout.write(
      signerPolicy({
        name: flags.name,
        ...(flags.key !== undefined ? { publicKey: await loadPublicKeyFile(flags.key) } : {}),
        ...(flags.certificateChain.length
          ? { roots: await loadCertificateFiles(flags.certificateChain) }
          : {}),
      }),
    );
  });
}
