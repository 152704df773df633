// The MODEL|REF argument of the model verbs (sign, verify, attest, verify-attestation, sbom,
// provenance, scan): one help text, and one rule (core's openModelSource) deciding whether it names
// a model on disk or a stored artifact. The registry flags are read only for an artifact.
import { ModelsealError, openModelSource, type ModelSource } from '@modelseal/core';
import { registryFlagGiven, registryOptionsFrom, type RegistryFlags } from './registry-flags.js';

/** What every MODEL|REF argument's help says. */
export const MODEL_ARGUMENT_HELP =
  'model directory, file, or artifact reference (host[:port]/repository[:tag|@sha256:...] or oci:LAYOUT[:tag])';

/**
 * Open `arg` as a ModelSource: a path that exists is a model on disk; `oci:` or a reference with an
 * explicit registry host is an artifact, with the registry options of `flags`; anything else is
 * NOT_FOUND, before any registry is contacted. Throws USAGE when a registry flag is given for a
 * model on disk (it would be ignored).
 */
export async function openModelArgument(arg: string, flags: RegistryFlags): Promise<ModelSource> {
  const source = await openModelSource(arg);
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
