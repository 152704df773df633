// The evidence stored beside a model on disk (a directory or a single file): its OMS signature
// (model.sig, or the path given) and the attestation bundle files it is given (gatherEvidence
// passes those `modelseal attest` wrote next to it), each verified with one verifier and then bound to the model by bindEvidence, as an artifact's
// referrers are: the signature only when its manifest equals the files hashed as it says, an
// attestation only when it names the bound OMS root (or, with no bound signature, the root
// recomputed from the files). Input problems (unreadable files) are thrown.
import path from 'node:path';
import { ModelsealError } from '../errors.js';
import { hashModel } from '../model/hash-model.js';
import { readBundleFile } from '../oms/read-bundle-file.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import { readInputFile } from '../read-input-file.js';
import type { ProgressListener } from '../types.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { directoryFileSet } from './directory-file-set.js';
import { rebindEvidence, type ReferrerEvidence } from './referrer-evidence.js';
import { verifyBundles, type ListedBundle } from './verify-bundles.js';

/** Options of gatherSiblingEvidence. */
export interface SiblingEvidenceOptions {
  /** Default: MODEL/model.sig for a directory, MODEL.sig for a single file. */
  signaturePath?: string;
  jobs?: number;
  onProgress?: ProgressListener;
  verifier: BundleVerifier;
  /** Default true: ignored paths that exist fail the OMS signature check with IGNORED_PATH. */
  strict?: boolean;
  /** Attestation bundle files to read (each must exist). */
  attestationPaths: readonly string[];
}

/** The signature file's bytes, or undefined when there is none. Throws UNREADABLE, MALFORMED_BUNDLE (too large). */
async function readSignature(file: string): Promise<Buffer | undefined> {
  try {
    return await readBundleFile(file);
  } catch (e) {
    if (e instanceof ModelsealError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * Verify and bind the bundles beside `modelPath`. `evidence.subjectDigests` holds the bound OMS root,
 * or the root recomputed from the files when no signature bound. Bundles that do not parse or bind
 * are unbound (and failures). Also returns the signature path used. Throws input errors only.
 */
export async function gatherSiblingEvidence(
  modelPath: string,
  opts: SiblingEvidenceOptions,
): Promise<ReferrerEvidence & { signaturePath: string }> {
  const signaturePath = path.resolve(opts.signaturePath ?? (await defaultSignaturePath(modelPath)));
  const listed: ListedBundle[] = [];
  const signature = await readSignature(signaturePath);
  if (signature) listed.push({ source: signaturePath, bytes: signature });
  for (const file of opts.attestationPaths)
    listed.push({ source: file, bytes: await readInputFile(file, 'attestation') });
  const checked = await verifyBundles(listed, opts.verifier);
  const gathered = await rebindEvidence(checked, {
    shown: modelPath,
    files: directoryFileSet(modelPath, {
      signaturePath,
      jobs: opts.jobs,
      onProgress: opts.onProgress,
      strict: opts.strict ?? true,
    }),
    ownRoot: async () => `sha256:${(await hashModel(modelPath, { jobs: opts.jobs, signaturePath })).root}`,
  });
  return { ...gathered, signaturePath };
}
