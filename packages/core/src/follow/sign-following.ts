// signModelFollowing: `sign DIR --follow` as a library verb. Follow the directory while it is
// written (hashing each file once it is closed), then sign from those digests once a completion
// condition holds, re-hashing whatever changed since and waiting for any file still open.
import path from 'node:path';
import { checkSignatureDestination } from '../sign/signature-destination.js';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';
import type { BundleSigner } from '../sign/signer.js';
import { followModel, type FollowCompletion, type FollowModelOptions } from './follow-model.js';
import { sealModel, type SealModelResult } from './seal-model.js';

/** Options of signModelFollowing(): how to follow (see followModel), the signer and the destination. */
export interface SignFollowingOptions extends Omit<FollowModelOptions, 'signaturePath'> {
  signer: BundleSigner;
  /** default DIR/model.sig; left out of the model */
  signaturePath?: string;
  /** replace an existing signature (default false: DEST_EXISTS, checked before following) */
  overwrite?: boolean;
  /** files the signature must never replace (keys, certificates) */
  protectedPaths?: readonly string[];
}

/** What signModelFollowing() wrote, and which completion condition ended the follow. */
export interface SignFollowingResult extends SealModelResult {
  completion: FollowCompletion;
}

/**
 * Follow `dir` while it is written and sign it once a completion condition holds (see followModel).
 * The signature covers exactly the files present then, each hashed after its last change and
 * while no process held it open for writing. Throws DEST_EXISTS before following, what followModel
 * and sealModel throw (NOT_FOUND, SYMLINK, EMPTY_MODEL, BUSY...), or the signal's reason (then no
 * signature is written).
 */
export async function signModelFollowing(
  dir: string,
  opts: SignFollowingOptions,
): Promise<SignFollowingResult> {
  const { signer, overwrite = false, protectedPaths, ...following } = opts;
  const signaturePath = path.resolve(opts.signaturePath ?? path.join(dir, DEFAULT_SIGNATURE_NAME));
  await checkSignatureDestination(signaturePath, { overwrite, protectedPaths });
  const followed = await followModel(dir, { ...following, signaturePath });
  const sealed = await sealModel(dir, followed.known, {
    signer,
    signaturePath,
    overwrite,
    protectedPaths,
    jobs: opts.jobs,
    signal: opts.signal,
    onHashed: opts.onHashed,
    waitForWriters: followed.waitForWriters,
    walk: {
      ignorePaths: opts.ignorePaths,
      ignoreGitPaths: opts.ignoreGitPaths,
      allowSymlinks: opts.allowSymlinks,
    },
  });
  return { ...sealed, completion: followed.completion };
}
