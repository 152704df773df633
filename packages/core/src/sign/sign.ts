// The `sign` verb: one entry for a model on disk and a stored artifact. A directory or file gets its
// OMS signature written beside it (sign-directory); an artifact gets the OMS and cosign signature
// referrers (sign-artifact). The argument is opened by source/openModelSource, the one rule.
import { resolveModelSource } from '../source/resolve-model-source.js';
import { artifactOptions } from '../source/artifact-options.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import { type ArtifactSource, type DirectorySource, type ModelSource } from '../source/open-model-source.js';
import { signArtifact, type ArtifactSignResult } from './sign-artifact.js';
import { signDirectory, type DirectorySignOptions, type DirectorySignResult } from './sign-directory.js';

/**
 * Options of sign(): the signer; for a model on disk where the signature goes (default
 * MODEL/model.sig, or MODEL.sig for a file), `overwrite` (default false) and the hashing options; for
 * an artifact how to reach its registry (credentials, plain HTTP, timeouts).
 */
export interface SignOptions extends DirectorySignOptions, OpenTargetOptions {}

/** What sign() did: wrote `signaturePath` (kind `directory`) or attached two referrers (kind `artifact`). */
export type SignResult = DirectorySignResult | ArtifactSignResult;

/** Options that shape the files a signature covers or where it is written: a model on disk only. */
const DISK_ONLY = [
  'signaturePath',
  'overwrite',
  'method',
  'hashType',
  'shardSize',
  'ignorePaths',
  'ignoreGitPaths',
  'allowSymlinks',
] as const satisfies readonly (keyof DirectorySignOptions)[];

/**
 * Sign `source`: a ModelSource, or a string opened with openModelSource (a path that does not exist
 * is NOT_FOUND and no registry is contacted). A model on disk: DEST_EXISTS for an existing signature
 * without `overwrite`, EMPTY_MODEL, what hashing throws; the signature file appears whole or not at
 * all. An artifact: UNSUPPORTED_ARTIFACT for archive layers, EMPTY_MODEL, NOT_FOUND, registry errors;
 * nothing is attached unless both signatures were made; USAGE when an option that only applies on
 * disk (signaturePath, overwrite, method, hashType, shardSize, ignorePaths, ignoreGitPaths,
 * allowSymlinks) is set. Both: what the signer throws, `signal`'s reason on abort.
 */
export async function sign(source: DirectorySource, options: SignOptions): Promise<DirectorySignResult>;
export async function sign(source: ArtifactSource, options: SignOptions): Promise<ArtifactSignResult>;
export async function sign(source: ModelSource | string, options: SignOptions): Promise<SignResult>;
export async function sign(source: ModelSource | string, options: SignOptions): Promise<SignResult> {
  const opened = await resolveModelSource(source, options);
  if (opened.kind === 'directory') return signDirectory(opened.path, options);
  return signArtifact(opened.ref, artifactOptions(opened, options, DISK_ONLY));
}
