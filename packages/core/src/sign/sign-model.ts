// The `signModel` verb: hash a model (leaving its signature file out), build the OMS statement,
// sign it with any BundleSigner and write the bundle atomically (temp file + rename).
import path from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { hashModel, type HashModelOptions } from '../model/hash-model.js';
import { buildStatement } from '../oms/statement.js';
import type { ModelManifest } from '../types.js';
import { untilAborted } from '../abort-race.js';
import { serializeBundle } from './dsse-bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import { checkSignatureDestination, writeFileAtomic } from './signature-destination.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { BundleSigner } from './signer.js';

/**
 * Options of signModel(): the signer, where to write the signature (default MODEL/model.sig, or
 * MODEL.sig for a file), whether to replace an existing one (default no), and the hashing options.
 */
export interface SignModelOptions extends Omit<HashModelOptions, 'signaturePath'> {
  signer: BundleSigner;
  /** Default: MODEL/model.sig for a directory, MODEL.sig for a single file. */
  signaturePath?: string;
  /** replace an existing signature at `signaturePath` (default false: DEST_EXISTS) */
  overwrite?: boolean;
  /** files the signature must never replace, e.g. the signing key and certificates */
  protectedPaths?: readonly string[];
}

/** What signModel() wrote: the signature path, the bundle, and the manifest that was signed. */
export interface SignModelResult {
  manifest: ModelManifest;
  bundle: SerializedBundle;
  /** Absolute path of the written signature. */
  signaturePath: string;
}

/**
 * Hash `modelPath`, sign its OMS statement with `opts.signer` and write the bundle. Never replaces
 * a file that is not a signature, nor a protected path; an existing signature only with
 * `overwrite` (else DEST_EXISTS). When `opts.signal` aborts before the write (while hashing or
 * while the signer works), it rejects at once with the signal's reason and writes nothing: the
 * signature file appears whole or not at all.
 */
export async function signModel(modelPath: string, opts: SignModelOptions): Promise<SignModelResult> {
  const { signer, signaturePath: given, overwrite = false, protectedPaths, ...hashing } = opts;
  hashing.signal?.throwIfAborted();
  const signaturePath = path.resolve(given ?? (await defaultSignaturePath(modelPath)));
  await checkSignatureDestination(signaturePath, { overwrite, protectedPaths });
  const manifest = await hashModel(modelPath, { ...hashing, signaturePath });
  const statement = buildStatement(manifest);
  // A keyless signer may wait on the network or a browser sign-in: an abort does not wait for it.
  const bundle = await untilAborted(signer.signStatement(statement, IN_TOTO_PAYLOAD_TYPE), hashing.signal);
  await writeFileAtomic(signaturePath, serializeBundle(bundle), overwrite);
  return { manifest, bundle, signaturePath };
}
