// `modelseal sbom MODEL`: write a CycloneDX 1.6 ML-BOM (validated against the 1.6 schema) for a model.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildSbom } from '@modelseal/core';

export function registerSbom(program: Command): void {
  program
    .command('sbom')
    .description(
      'Write a CycloneDX 1.6 ML-BOM for a model (files, SHA-256, model card, datasets, base models)',
    )
    .argument('<model>', 'model directory or single file')
    .option('--output <file>', 'write the BOM here instead of stdout')
    .addHelpText(
      'after',
      `
The model card comes from the model's own config.json, generation_config.json and README front
matter (license, datasets, base_model, pipeline_tag, language, metrics). The BOM is validated
against the CycloneDX 1.6 schema; an invalid BOM is an error, never a file.

Examples:
  $ modelseal sbom ./my-model --output my-model.cdx.json
  $ modelseal attest ./my-model --predicate my-model.cdx.json --type cyclonedx --key mykey.key
`,
    )
    .action(async (model: string, flags: { output?: string }) => {
      const bom = await buildSbom(model);
      const text = `${JSON.stringify(bom, null, 2)}\n`;
      if (flags.output !== undefined) {
        await writeFile(flags.output, text);
        process.stderr.write(`wrote CycloneDX 1.6 BOM ${bom.serialNumber} -> ${flags.output}\n`);
      } else process.stdout.write(text);
    });
}
