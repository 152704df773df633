// A verb's first argument as a ModelSource: a string is opened with openModelSource (the one
// directory-or-reference rule; nothing is contacted, a typo path is NOT_FOUND), an opened source is
// taken as it is, and for an artifact the call's registry options are laid over the source's own.
import type { OpenTargetOptions } from '../oci/open-target.js';
import { openModelSource, type ArtifactSource, type ModelSource } from './open-model-source.js';

const TARGET_OPTIONS = [
  'plainHttp',
  'credentials',
  'concurrency',
  'timeouts',
  'signal',
  'maxReferrers',
] as const satisfies readonly (keyof OpenTargetOptions)[];

/** The registry options among a verb's options (those set), e.g. to open the artifact with. */
function targetOptionsOf(options: OpenTargetOptions): OpenTargetOptions {
  const picked: Record<string, unknown> = {};
  for (const k of TARGET_OPTIONS) if (options[k] !== undefined) picked[k] = options[k];
  return picked;
}

/**
 * `source` as a ModelSource. A string is opened with openModelSource(source, options) (throws
 * NOT_FOUND / BAD_REFERENCE as it does); for an artifact the registry options set in `options`
 * override the source's own `options`.
 */
export async function resolveModelSource(
  source: ModelSource | string,
  options: OpenTargetOptions = {},
): Promise<ModelSource> {
  const opened = typeof source === 'string' ? await openModelSource(source) : source;
  if (opened.kind === 'directory') return opened;
  const merged: ArtifactSource = { ...opened, options: { ...opened.options, ...targetOptionsOf(options) } };
  return merged;
}
