// openModelSource: the one rule that decides whether a command-line or library argument names a
// model on disk (a directory or a single file) or a stored artifact (a registry reference or an OCI
// layout). `oci:PATH` is always an artifact; a path that exists is a model on disk; anything else is
// an artifact only when it parses as a reference with an explicit registry host — otherwise it is
// NOT_FOUND (a typo never sends a request to a registry).
import { stat } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import { formatReference, parseReference, type ArtifactReference } from '../oci/reference.js';

/** A model directory or single file on disk. */
export interface DirectorySource {
  kind: 'directory';
  /** The path as given. */
  path: string;
  shown: string;
}

/** A model artifact in a registry or an OCI layout, with the options to reach it. */
export interface ArtifactSource {
  kind: 'artifact';
  /** The argument as given (what openTarget and the `*Artifact` verbs take). */
  ref: string;
  reference: ArtifactReference;
  shown: string;
  options: OpenTargetOptions;
}

/** A model as a verb takes it: on disk, or stored as an artifact. */
export type ModelSource = DirectorySource | ArtifactSource;

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // only "no such path" means absent; anything else (EACCES...) is a path the verb will report on
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/**
 * Decide what `arg` names. Throws NOT_FOUND for a path that does not exist and is not a reference
 * with an explicit registry host (`host[:port]/repo[:tag|@digest]`) or `oci:`; BAD_REFERENCE for a
 * malformed `oci:` reference. `options` (credentials, plain HTTP, registry config) are kept for an
 * artifact; they are not used for a path. Nothing is contacted here.
 */
export async function openModelSource(arg: string, options: OpenTargetOptions = {}): Promise<ModelSource> {
  if (!arg.startsWith('oci:')) {
    if (await exists(arg)) return { kind: 'directory', path: arg, shown: arg };
    let reference: ArtifactReference;
    try {
      reference = parseReference(arg);
    } catch {
      throw new ModelsealError(
        'NOT_FOUND',
        `${arg} does not exist (and is not an artifact reference: write host[:port]/repository[:tag] or oci:PATH[:tag])`,
      );
    }
    return { kind: 'artifact', ref: arg, reference, shown: formatReference(reference), options };
  }
  return artifactSource(arg, options);
}

/**
 * The artifact `ref` names, whatever exists on disk under that name (e.g. the reference a push just
 * wrote). Throws BAD_REFERENCE for an unparsable reference; nothing is contacted here.
 */
export function artifactSource(ref: string, options: OpenTargetOptions = {}): ArtifactSource {
  const reference = parseReference(ref);
  return { kind: 'artifact', ref, reference, shown: formatReference(reference), options };
}
