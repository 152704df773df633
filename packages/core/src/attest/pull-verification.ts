// `pull --verify`: the signatures are verified after the manifest is read and before any layer byte
// (an OMS signature must pass, its files matching the raw layers one to one); every layer is then
// checked against its digest while it streams into staging (one pass, by the staging target), and the
// staged files (including those extracted from archive layers) are matched to the signed digests
// before DEST appears, with the verified OMS bundle as DEST/model.sig. Any failure leaves DEST untouched.
import type { KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SIGNATURE_NAME } from '../sign/signature-path.js';
import { ModelsealError } from '../errors.js';
import { compareManifest } from '../oms/compare-manifest.js';
import type { SignedManifest } from '../oms/statement.js';
import type { PullVerification } from '../oci/pull-model.js';
import type { BundleVerifier } from '../verify/verifier.js';
import { verifySignatures, type VerifyArtifactResult } from './verify-artifact.js';

/** Options of pullVerification: the signer check, an optional key for legacy `.sig`, a callback. */
export interface PullVerificationOptions {
  verifier: BundleVerifier;
  publicKey?: KeyObject;
  /** Called with the signature result before the first layer is fetched. */
  onVerified?: (result: VerifyArtifactResult) => void;
}

/** A PullVerification for `pullModel(ref, dest, { verify })`. Throws as verifySignatures, then TAMPERED_FILE etc. */
export function pullVerification(
  opts: PullVerificationOptions,
): PullVerification & { result?: VerifyArtifactResult } {
  let signed: SignedManifest | undefined;
  let bundle: Buffer | undefined;
  const check: PullVerification & { result?: VerifyArtifactResult } = {
    async beforeDownload({ target, shown, plan }) {
      const result = await verifySignatures(
        {
          target,
          shown,
          descriptor: plan.descriptor,
          manifest: plan.manifest,
          layerFiles: { shown, name: 'model', plan },
        },
        { verifier: opts.verifier, publicKey: opts.publicKey, requireOms: true },
      );
      signed = result.signed;
      bundle = result.bundle;
      check.result = result;
      opts.onVerified?.(result);
    },
    async beforeCommit(staged) {
      if (!signed)
        throw new ModelsealError('SIGNATURE_MISSING', `${staged.digest}: no verified OMS signature`);
      compareManifest(
        signed,
        staged.files.map((f) => ({
          name: f.path,
          algorithm: 'sha256',
          digest: f.digest.slice('sha256:'.length),
        })),
      );
      // The verified signature goes beside the files as model.sig (left out by the signed ignore_paths),
      // so `modelseal verify DEST` works as it is; never over a file of the artifact.
      if (bundle && !staged.files.some((f) => f.path === DEFAULT_SIGNATURE_NAME))
        await writeFile(path.join(staged.dir, DEFAULT_SIGNATURE_NAME), bundle, { flag: 'wx', mode: 0o644 });
    },
  };
  return check;
}
