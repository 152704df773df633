// The `verify` verb: one entry for a model on disk and a stored artifact. A directory or file is
// re-hashed and compared with its OMS signature (verify-model); an artifact's signature referrers
// are checked and bound to its manifest without downloading a layer (verify-artifact). The argument
// is opened by source/openModelSource, the one rule; the verifier is built once for both kinds.
import { resolveModelSource } from '../source/resolve-model-source.js';
import type { KeyObject } from 'node:crypto';
import { artifactOptions } from '../source/artifact-options.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import { type ArtifactSource, type DirectorySource, type ModelSource } from '../source/open-model-source.js';
import { keylessVerifier } from './sigstore-verifier.js';
import { verifyArtifact, type VerifyArtifactResult } from './verify-artifact.js';
import { verifyModel, type VerifyModelOptions, type VerifyModelResult } from './verify-model.js';

/**
 * Options of verify(): who must have signed (`verifier`, or the keyless shorthand `{identity |
 * identityRegExp, issuer | issuerRegExp, trustedRoot?}`); for a model on disk the signature path
 * (default MODEL/model.sig) and the hashing settings; for an artifact how to reach its registry, a
 * `publicKey` that also checks legacy cosign `.sig` signatures, and `requireOms` (default false).
 */
export type VerifyOptions = VerifyModelOptions &
  OpenTargetOptions & {
    /** Artifact only: also check legacy cosign `sha256-<hex>.sig` signatures with this key. */
    publicKey?: KeyObject;
    /** Artifact only: only an OMS signature counts (default false: a cosign signature is enough). */
    requireOms?: boolean;
  };

/** What verify() proved about a model on disk: every signed file re-hashed and matched. */
export type DirectoryVerifyResult = VerifyModelResult & { kind: 'directory' };
/** What verify() proved about an artifact: a bound signature, and every signature checked. */
export type ArtifactVerifyResult = VerifyArtifactResult & { kind: 'artifact'; verified: true };
/** What verify() proved, by the kind of source. */
export type VerifyResult = DirectoryVerifyResult | ArtifactVerifyResult;

/** Options that only apply to a model on disk (they change which files are compared). */
const DISK_ONLY = ['signaturePath', 'ignoreUnsignedFiles', 'ignorePaths', 'strict'] as const;

/**
 * Verify `source`: a ModelSource, or a string opened with openModelSource (a path that does not exist
 * is NOT_FOUND and no registry is contacted). A model on disk: MALFORMED_BUNDLE, NOT_FOUND,
 * TAMPERED_FILE, MISSING_FILE, EXTRA_FILE, IGNORED_PATH (strict) or the verifier's code. An artifact:
 * SIGNATURE_MISSING, or the first failure (BAD_SIGNATURE, IDENTITY_MISMATCH, TAMPERED_FILE...,
 * UNSUPPORTED_ARTIFACT for archive layers, SUBJECT_MISMATCH) with `details.checks`; USAGE when an
 * option that only applies on disk (signaturePath, ignoreUnsignedFiles, ignorePaths, strict) is set.
 * Both: `signal`'s reason on abort.
 */
export async function verify(source: DirectorySource, options: VerifyOptions): Promise<DirectoryVerifyResult>;
export async function verify(source: ArtifactSource, options: VerifyOptions): Promise<ArtifactVerifyResult>;
export async function verify(source: ModelSource | string, options: VerifyOptions): Promise<VerifyResult>;
export async function verify(source: ModelSource | string, options: VerifyOptions): Promise<VerifyResult> {
  const opened = await resolveModelSource(source, options);
  const verifier = options.verifier ?? keylessVerifier(options);
  if (opened.kind === 'directory')
    return { kind: 'directory', ...(await verifyModel(opened.path, { ...options, verifier })) };
  const reach = artifactOptions(opened, options, DISK_ONLY);
  options.signal?.throwIfAborted();
  const r = await verifyArtifact(opened.ref, { ...reach, verifier });
  return { kind: 'artifact', verified: true, ...r };
}
