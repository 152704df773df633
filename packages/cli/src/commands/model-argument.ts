// The MODEL|REF argument of the model verbs (sign, verify, attest, verify-attestation, sbom,
// provenance, scan): one help text, and one rule (core's openModelSource) deciding whether it names
// a model on disk or a stored artifact. The registry flags are read only for an artifact; a flag
// that only applies to one of the two is USAGE with the other (it would be silently ignored).
import { ModelsealError, openModelSource, type ModelSource } from '@modelseal/core';
import type { Command } from 'commander';
import { registryFlagGiven, registryOptionsFrom, type RegistryFlags } from './registry-flags.js';

/** What every MODEL|REF argument's help says. */
export const MODEL_ARGUMENT_HELP =
  'model directory, file, or artifact reference (host[:port]/repository[:tag|@sha256:...] or oci:LAYOUT[:tag])';

/**
 * Open `arg` as a ModelSource: a path that exists is a model on disk; `oci:` or a reference with an
 * explicit registry host is an artifact, with the registry options of `flags`; anything else is
 * NOT_FOUND, before any registry is contacted. Throws USAGE when a registry flag is given for a
 * model on disk, or one of `diskOnly.attributes` (commander attribute names of the command's flags
 * that only apply to a model on disk) is given for an artifact reference: it would be ignored.
 */
export async function openModelArgument(
  arg: string,
  flags: RegistryFlags,
  diskOnly?: { command: Command; attributes: readonly string[] },
): Promise<ModelSource> {
  const source = await openModelSource(arg);
  const diskFlag =
    diskOnly && source.kind === 'artifact' ? flagGiven(diskOnly.command, diskOnly.attributes) : undefined;
  if (diskFlag !== undefined)
    throw new ModelsealError(
      'USAGE',
      `${diskFlag} is for a model on disk; ${arg} is an artifact reference (leave ${diskFlag} out)`,
    );
  if (source.kind === 'directory') {
    const given = registryFlagGiven(flags);
    if (given !== undefined)
      throw new ModelsealError(
        'USAGE',
        `${given} is for an artifact reference; ${arg} is a model on disk (leave ${given} out)`,
      );
    return source;
  }
  return { ...source, options: await registryOptionsFrom(flags) };
}

/** The first of `attributes` given on the command line, spelled as its flag (`--no-…` included). */
function flagGiven(command: Command, attributes: readonly string[]): string | undefined {
  for (const attribute of attributes) {
    if (command.getOptionValueSource(attribute) !== 'cli') continue;
    const option = command.options.find((o) => o.attributeName() === attribute && o.long !== undefined);
    return option?.long ?? attribute;
  }
  return undefined;
}
