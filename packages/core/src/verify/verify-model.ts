// The `verifyModel` verb: read and parse the bundle, check its signature and trust with any
// BundleVerifier, parse the signed statement, re-hash the model with the SIGNED settings
// (ignore_paths, allow_symlinks, method, hash type, shard size) and compare file by file.
import path from 'node:path';
import { ignoredPathsError, presentIgnoredPaths } from '../model/ignored-present.js';
import { compareManifest } from '../oms/compare-manifest.js';
import { manifestFiles, parseStatement, type SignedManifest } from '../oms/statement.js';
import { hashAsSigned } from '../model/hash-as-signed.js';
import { readBundleFile } from '../oms/read-bundle-file.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { ProgressListener } from '../types.js';
import { parseBundle } from '../oms/parse-bundle.js';
import { keylessVerifier, type KeylessVerifierOptions } from './sigstore-verifier.js';
import type { BundleVerifier, SignerIdentity } from '../oms/verifier.js';

/**
 * Options of verifyModel. Trust comes from `verifier` (key, certificate or keyless), or, as a
 * shorthand for keyless, from `{identity | identityRegExp, issuer | issuerRegExp, trustedRoot?}`.
 */
export type VerifyModelOptions = VerifyModelSettings &
  ({ verifier: BundleVerifier } | (KeylessVerifierOptions & { verifier?: undefined }));

/**
 * Settings of verifyModel() beside the verifier: signature path (default MODEL/model.sig), extra
 * ignored paths, whether unsigned files are allowed (default no), jobs and progress.
 */
export interface VerifyModelSettings {
  /** Default: MODEL/model.sig for a directory, MODEL.sig for a single file. */
  signaturePath?: string;
  /** Allow files on disk that the signature does not list (only signed files are hashed). */
  ignoreUnsignedFiles?: boolean;
  /** Extra paths to leave out, on top of the signed ignore_paths (model-relative or absolute). */
  ignorePaths?: string[];
  /**
   * Only for signatures that do not record `ignore_paths` (model_signing <= 1.0, v0.2 statements):
   * also leave out top-level .git, .gitattributes, .github, .gitignore, as those signers did by
   * default. Default true. A signature that records its ignore_paths is verified with exactly
   * those paths left out (git paths only when the signer ignored them), whatever this says.
   */
  ignoreGitPaths?: boolean;
  jobs?: number;
  onProgress?: ProgressListener;
  /** Called once the signature is trusted and the statement parsed, before hashing (for reports). */
  onSignatureVerified?: (info: { signer: SignerIdentity; manifest: SignedManifest }) => void;
  /** fail with IGNORED_PATH when paths verify ignores (.git, .github, ...) exist in the model (default false: a warning) */
  strict?: boolean;
  /**
   * Aborts the verification: checked before reading the signature, after checking it and while
   * re-hashing (hashing workers are terminated, progress stops); rejects with `signal.reason`.
   */
  signal?: AbortSignal;
}

/**
 * What verifyModel() proved: the signed manifest, the signer, the number of files checked, and
 * warnings.
 */
export interface VerifyModelResult {
  verified: true;
  signer: SignerIdentity;
  manifest: SignedManifest;
  warnings: string[];
  signaturePath: string;
  /** Number of files hashed and matched. */
  files: number;
  /** Paths verify left out that exist in the model directory (each also a warning). */
  ignored: string[];
}

/**
 * Verify a model directory (or file) against its OMS signature: parse the bundle, check it with
 * `verifier` (or, without one, keylessly against `identity`/`issuer`), then re-hash the model with
 * the settings the signature records and compare every file. Rejects with MALFORMED_BUNDLE,
 * NOT_FOUND, UNREADABLE, EMPTY_MODEL, TAMPERED_FILE, MISSING_FILE, EXTRA_FILE or the verifier's
 * code, or with `opts.signal`'s reason when it aborts.
 */
export async function verifyModel(modelPath: string, opts: VerifyModelOptions): Promise<VerifyModelResult> {
  opts.signal?.throwIfAborted();
  const signaturePath = path.resolve(opts.signaturePath ?? (await defaultSignaturePath(modelPath)));
  const bundle = parseBundle(await readBundleFile(signaturePath), signaturePath);
  const verifier = opts.verifier ?? keylessVerifier(opts);
  const verified = await verifier.verify(bundle);
  opts.signal?.throwIfAborted();
  const manifest = parseStatement(verified.payload, signaturePath);
  opts.onSignatureVerified?.({ signer: verified.signer, manifest });
  const warnings = [...verified.warnings];
  if (manifest.legacy)
    warnings.push(
      'signature uses the legacy Digests/v0.1 statement (model_signing 0.2); re-sign to record the full manifest',
    );

  const { expected, actual, isFile } = await hashAsSigned(modelPath, manifest, {
    signaturePath,
    ignorePaths: opts.ignorePaths,
    ignoreGitPaths: opts.ignoreGitPaths,
    ignoreUnsignedFiles: opts.ignoreUnsignedFiles,
    jobs: opts.jobs,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
  compareManifest(expected, actual, { ignoreUnsignedFiles: opts.ignoreUnsignedFiles });
  const files = manifestFiles({ config: manifest.config, resources: actual }).length;
  const ignored = isFile ? [] : await presentIgnoredPaths(modelPath, manifest.ignorePaths, signaturePath);
  if (ignored.length > 0 && opts.strict) throw ignoredPathsError(modelPath, ignored);
  for (const p of ignored)
    warnings.push(`'${p}' exists in ${modelPath} but no signature covers it (verify ignores it)`);
  return { verified: true, signer: verified.signer, manifest, warnings, signaturePath, files, ignored };
}
