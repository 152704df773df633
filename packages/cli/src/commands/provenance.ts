// `modelseal provenance MODEL|REF`: write a SLSA v1 provenance statement for a model (GitHub's workflow
// buildType on GitHub Actions, else modelseal's ml-training buildType), to stdout or --output.
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { provenance, type ProvenanceOptions } from '@modelseal/core';
import { parseTime } from '@modelseal/core/attest';
import { MODEL_ARGUMENT_HELP, openModelArgument } from './model-argument.js';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.js';
import { jobsFrom, maxJobs } from './hashing-flags.js';
import { collect } from './repeatable-option.js';
import { humanLine } from '../output.js';

/** The parsed flags of `provenance`. */
interface ProvenanceFlags extends RegistryFlags {
  output?: string;
  dataset: string[];
  baseModel: string[];
  parameter: string[];
  parametersFile?: string;
  byproduct: string[];
  startedOn?: string;
  finishedOn?: string;
  builderId?: string;
  invocationId?: string;
  /** --source DIR, or false for --no-source */
  source?: string | false;
  /** one of the --build-type choices, which commander enforces */
  buildType: 'auto' | 'github' | 'ml-training';
  jobs?: string;
}

export function registerProvenance(program: Command): void {
  const cmd = program
    .command('provenance')
    .description('Write SLSA v1 provenance (an in-toto statement) for a model')
    .argument('<model>', MODEL_ARGUMENT_HELP)
    .option('--output <file>', 'write the statement here instead of stdout')
    .option(
      '--dataset <spec>',
      'a dataset: NAME=URI@sha256:HEX, or a directory to hash; repeatable',
      collect,
      [],
    )
    .option(
      '--base-model <spec>',
      'a base model: NAME=URI@sha256:HEX, or a model directory; repeatable',
      collect,
      [],
    )
    .option(
      '--parameter <k=v>',
      'a training parameter (numbers and booleans kept as such); repeatable',
      collect,
      [],
    )
    .option('--parameters-file <file>', 'training parameters from a YAML or JSON mapping')
    .option(
      '--byproduct <file>',
      'a byproduct (metrics, logs) recorded with its sha256; repeatable',
      collect,
      [],
    )
    .option('--started-on <time>', 'when training started (RFC 3339; default now)')
    .option('--finished-on <time>', 'when training finished (RFC 3339; default now)')
    .option('--builder-id <uri>', 'ml-training: builder.id (default https://modelseal.dev/builders/local/v1)')
    .option('--invocation-id <id>', 'ml-training: invocationId (default a fresh urn:uuid)')
    .option('--source <dir>', 'git checkout of the training code (default: the current directory)')
    .option('--no-source', 'record no training code')
    .addOption(
      new Option('--build-type <type>', 'auto: GitHub on GitHub Actions, else ml-training')
        .choices(['auto', 'github', 'ml-training'])
        .default('auto'),
    )
    .option('--jobs <n>', `parallel hashing threads (default: number of CPUs; at most ${maxJobs()})`);
  addRegistryFlags(cmd);
  cmd.addHelpText(
    'after',
    `
The subject is the model's OMS root; for a reference, also its manifest digest (read from the
manifest alone, no layer fetched). On GitHub Actions (GITHUB_ACTIONS=true, permissions: id-token:
write) the predicate is filled from the job's OIDC claims as actions/attest-build-provenance does
(buildType https://actions.github.io/buildtypes/workflow/v1). Elsewhere it uses
https://modelseal.dev/buildtypes/ml-training/v1 (docs/buildtypes/ml-training-v1.md).

Examples:
  $ modelseal provenance ./my-model --dataset imdb=s3://acme-data/imdb@sha256:<hex> \\
      --base-model ./bert-base --parameters-file train.yaml --byproduct metrics.json --output prov.json
  $ modelseal attest ./my-model --predicate prov.json --type slsaprovenance1 --key mykey.key
  $ modelseal provenance 127.0.0.1:5000/models/my-model:v1 --builder-id https://ci.example/runner --output prov.json
`,
  );
  cmd.action(async (model: string, flags: ProvenanceFlags) => {
    const jobs = flags.jobs === undefined ? undefined : jobsFrom(flags.jobs);
    const options: ProvenanceOptions = {
      datasets: flags.dataset,
      baseModels: flags.baseModel,
      parameters: flags.parameter,
      parametersFile: flags.parametersFile,
      byproducts: flags.byproduct,
      startedOn: flags.startedOn ? parseTime(flags.startedOn, '--started-on') : undefined,
      finishedOn: flags.finishedOn ? parseTime(flags.finishedOn, '--finished-on') : undefined,
      builderId: flags.builderId,
      invocationId: flags.invocationId,
      buildType: flags.buildType,
      sourceDir: flags.source,
      onWarning: (w) =>
        process.stderr.write(
          humanLine(`modelseal: warning: ${w} (give --source DIR, or --no-source to record none on purpose)`),
        ),
      jobs,
    };
    const source = await openModelArgument(model, flags);
    const statement = await provenance(source, options);
    const text = `${JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', ...statement }, null, 2)}\n`;
    if (flags.output !== undefined) {
      await writeFile(flags.output, text);
      process.stderr.write(
        humanLine(`wrote provenance for sha256:${statement.subject[0].digest.sha256} -> ${flags.output}`),
      );
    } else process.stdout.write(text);
  });
}
