// `pull --verify`: the signatures are verified and bound after the manifest is read and before any
// layer byte (an OMS signature must list exactly the raw layers' files; with archive layers the
// verified OMS signatures wait for the staged files); every layer is then checked against its digest
// while it streams into staging (one pass, by the staging target), and the verified OMS signatures
// are bound again against the staged files, entry by entry, before DEST appears, with a bound OMS
// bundle as DEST/model.sig. Any failure leaves DEST untouched.
import type { KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';
import { ModelsealError } from '../errors.js';
import type { PullVerification } from '../oci/pull-model.js';
import { bindEvidence, type VerifiedEvidence } from '../source/bind-evidence.js';
import { stagedFileSet } from '../source/file-set.js';
import type { BundleVerifier } from '../oms/verifier.js';
import {
  checkSignatures,
  signatureFailure,
  type SignatureCheck,
  type VerifyArtifactResult,
} from '../verify/verify-artifact.js';

/** Options of pullVerification: the signer check, an optional key for legacy `.sig`, a callback. */
export interface PullVerificationOptions {
  verifier: BundleVerifier;
  publicKey?: KeyObject;
  /** Called with the signature result before the first layer is fetched (when an OMS signature already bound). */
  onVerified?: (result: VerifyArtifactResult) => void;
}

/**
 * A PullVerification for `pullModel(ref, dest, { verify })`. Throws as verifySignatures (before
 * download), then TAMPERED_FILE / MISSING_FILE / EXTRA_FILE when no verified OMS signature lists
 * exactly the staged files.
 */
export function pullVerification(
  opts: PullVerificationOptions,
): PullVerification & { result?: VerifyArtifactResult } {
  let candidates: VerifiedEvidence[] = [];
  let checks: SignatureCheck[] = [];
  let skipped: string[] = [];
  let shownRef = '';
  const check: PullVerification & { result?: VerifyArtifactResult } = {
    async beforeDownload({ target, shown, plan }) {
      const a = {
        target,
        shown,
        descriptor: plan.descriptor,
        manifest: plan.manifest,
        layerFiles: { shown, name: 'model', plan },
      };
      const checked = await checkSignatures(a, opts);
      if (checked.oms.length === 0 && checked.pending.length === 0) throw signatureFailure(a, checked, true);
      shownRef = shown;
      checks = checked.checks;
      skipped = checked.skipped.map((x) => x.message);
      candidates = checked.verifiedOms;
      const [oms] = checked.oms;
      if (oms) {
        check.result = {
          reference: shown,
          digest: plan.descriptor.digest,
          signer: oms.signer,
          signed: oms.signed,
          bundle: oms.bundle,
          checks,
          warnings: [...skipped, ...oms.warnings],
        };
        opts.onVerified?.(check.result);
      }
    },
    async beforeCommit(staged) {
      if (candidates.length === 0)
        throw new ModelsealError('SIGNATURE_MISSING', `${staged.digest}: no verified OMS signature`);
      const bound = await bindEvidence(
        { shown: shownRef, manifestDigest: staged.digest, files: stagedFileSet(staged.dir, staged.files) },
        candidates,
      );
      const [oms] = bound.oms;
      if (!oms) {
        const [u] = bound.unbound;
        throw new ModelsealError(
          u?.code ?? 'SIGNATURE_MISSING',
          u?.reason ?? `${staged.digest}: no verified OMS signature`,
          { details: { checks } },
        );
      }
      check.result = {
        reference: shownRef,
        digest: staged.digest,
        signer: oms.signer,
        signed: oms.signed,
        bundle: oms.bundle,
        checks,
        warnings: [...skipped, ...oms.warnings],
      };
      // The verified signature goes beside the files as model.sig (left out by the signed ignore_paths),
      // so `modelseal verify DEST` works as it is; never over a file of the artifact.
      if (!staged.files.some((f) => f.path === DEFAULT_SIGNATURE_NAME))
        await writeFile(path.join(staged.dir, DEFAULT_SIGNATURE_NAME), oms.bundle, {
          flag: 'wx',
          mode: 0o644,
        });
    },
  };
  return check;
}
