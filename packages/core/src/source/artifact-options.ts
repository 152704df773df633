// The options a verb passes on for an artifact: the ones that only apply to a model on disk are
// refused (they would be silently ignored), and the call's options are laid over the source's own.
import { ModelsealError } from '../errors.js';
import type { ArtifactSource } from './open-model-source.js';

/** An option set to something other than nothing: undefined, false and [] are the defaults. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
}

/**
 * `options` for `source`: the source's own options (credentials, plain HTTP...) under the call's
 * defined ones. Throws USAGE naming the first of `diskOnly` that is set (not undefined, false or []).
 */
export function artifactOptions<T extends object>(
  source: ArtifactSource,
  options: T,
  diskOnly: readonly (keyof T & string)[],
): ArtifactSource['options'] & T {
  const given = diskOnly.find((o) => isSet(options[o]));
  if (given !== undefined)
    throw new ModelsealError(
      'USAGE',
      `option ${given} is for a model on disk; ${source.shown} is an artifact reference (leave ${given} out)`,
    );
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
  return { ...source.options, ...defined };
}
