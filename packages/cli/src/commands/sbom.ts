// `modelseal sbom MODEL|REF`: write a CycloneDX 1.6 ML-BOM (validated against the 1.6 schema) for a
// model directory, or for a stored artifact (digests from its manifest, no weight layer fetched).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { sbom } from '@modelseal/core';
import { humanLine } from '../output.js';
import { MODEL_ARGUMENT_HELP, openModelArgument } from './model-argument.js';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.js';

/** The parsed flags of `sbom`. */
interface SbomFlags extends RegistryFlags {
  output?: string;
}

export function registerSbom(program: Command): void {
  const cmd = program
    .command('sbom')
    .description(
      'Write a CycloneDX 1.6 ML-BOM for a model (files, SHA-256, model card, datasets, base models)',
    )
    .argument('<model>', MODEL_ARGUMENT_HELP)
    .option('--output <file>', 'write the BOM here instead of stdout');
  addRegistryFlags(cmd);
  cmd.addHelpText(
    'after',
    `
The model card comes from the model's own config.json, generation_config.json and README front
matter (license, datasets, base_model, pipeline_tag, language, metrics). The BOM is validated
against the CycloneDX 1.6 schema; an invalid BOM is an error, never a file.
For a reference, file digests come from the manifest's layers and only config.json,
generation_config.json and README.md (up to 1 MiB each, digest-checked) are fetched: never a weight.

Examples:
  $ modelseal sbom ./my-model --output my-model.cdx.json
  $ modelseal attest ./my-model --predicate my-model.cdx.json --type cyclonedx --key mykey.key
  $ modelseal sbom 127.0.0.1:5000/models/my-model:v1 --output bom.json
`,
  );
  cmd.action(async (model: string, flags: SbomFlags) => {
    const source = await openModelArgument(model, flags);
    const bom = await sbom(source, {
      onSkipped: (file, size) =>
        process.stderr.write(
          humanLine(`modelseal: warning: ${file} (${size} bytes) is over 1 MiB: not read for the model card`),
        ),
    });
    const text = `${JSON.stringify(bom, null, 2)}\n`;
    if (flags.output !== undefined) {
      await writeFile(flags.output, text);
      process.stderr.write(humanLine(`wrote CycloneDX 1.6 BOM ${bom.serialNumber} -> ${flags.output}`));
    } else process.stdout.write(text);
  });
}
