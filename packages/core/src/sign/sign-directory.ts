// The directory side of `sign`: hash a model on disk (leaving its signature file out), sign its OMS
// statement and write the bundle atomically beside it (temp file + rename).
import path from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { hashModel, type HashModelOptions } from '../model/hash-model.js';
import type { ModelManifest } from '../types.js';
import { serializeBundle } from './dsse-bundle.js';
import { checkSignatureDestination, writeFileAtomic } from './signature-destination.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import { signManifest } from './sign-manifest.js';
import type { BundleSigner } from './signer.js';

/**
 * Options of signing a model on disk: the signer, where to write the signature (default
 * MODEL/model.sig, or MODEL.sig for a file), whether to replace an existing one (default no), and the
 * hashing options.
 */
export interface DirectorySignOptions extends Omit<HashModelOptions, 'signaturePath'> {
  signer: BundleSigner;
  /** Default: MODEL/model.sig for a directory, MODEL.sig for a single file. */
  signaturePath?: string;
  /** replace an existing signature at `signaturePath` (default false: DEST_EXISTS) */
  overwrite?: boolean;
  /** files the signature must never replace, e.g. the signing key and certificates */
  protectedPaths?: readonly string[];
}

/** What signing a model on disk wrote: the manifest that was signed, the bundle, the signature path. */
export interface DirectorySignResult {
  kind: 'directory';
  manifest: ModelManifest;
  /** The OMS signature bundle. */
  bundle: SerializedBundle;
  /** Absolute path of the written signature. */
  signaturePath: string;
}

/**
 * Hash `modelPath`, sign its OMS statement and write the bundle. Never replaces a file that is not a
 * signature, nor a protected path; an existing signature only with `overwrite` (else DEST_EXISTS).
 * When `opts.signal` aborts before the write it rejects at once with the signal's reason and writes
 * nothing: the signature file appears whole or not at all.
 */
export async function signDirectory(
  modelPath: string,
  opts: DirectorySignOptions,
): Promise<DirectorySignResult> {
  const { signer, signaturePath: given, overwrite = false, protectedPaths, ...hashing } = opts;
  hashing.signal?.throwIfAborted();
  const signaturePath = path.resolve(given ?? (await defaultSignaturePath(modelPath)));
  await checkSignatureDestination(signaturePath, { overwrite, protectedPaths });
  const manifest = await hashModel(modelPath, { ...hashing, signaturePath });
  const bundle = await signManifest(manifest, signer, hashing.signal);
  await writeFileAtomic(signaturePath, serializeBundle(bundle), overwrite);
  return { kind: 'directory', manifest, bundle, signaturePath };
}
