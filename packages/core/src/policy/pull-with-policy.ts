// pullWithPolicy: the init container's job. Resolve the tag to a digest once; verify the bundle
// referrers of that digest and bind them to the artifact (source/bindEvidence) before any weight
// byte is fetched; pull the layers into staging with digest checks; then, before the staged tree
// becomes DEST, bind the same verified bundles again against the staged files (entry by entry, so
// archive layers are covered) and scan them when the policy has a `weights` block. DEST appears
// only when the whole policy passed over bound evidence (or in audit mode).
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import { openSource } from '../oci/open-target.js';
import { planPull } from '../oci/pull/pull-plan.js';
import { pullModel, type PullModelOptions, type PullModelResult } from '../oci/pull-model.js';
import { scan } from '../scan/scan-model.js';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';
import { stagedFileSet } from '../source/file-set.js';
import { gatherReferrerEvidence, rebindEvidence } from '../source/referrer-evidence.js';
import { evaluatePolicy, policyFailure } from './evaluate-policy.js';
import type { LoadedPolicy } from './load-policy.js';
import { identityMatcher } from './match-identity.js';
import { policyVerifier, type PolicyVerifierOptions } from './policy-verifier.js';
import type { SignerIdentity } from '../oms/verifier.js';
import type { PolicyResult } from './result.js';
import { evidenceFromScan } from '../source/scan-evidence.js';

/** Options of pullWithPolicy. */
export interface PullWithPolicyOptions
  extends Omit<PullModelOptions, 'beforeCommit' | 'reference'>, PolicyVerifierOptions {
  policy: LoadedPolicy;
  /** Called with every result (the pre-fetch one when it denies, else the final one), before throwing or returning. */
  onResult?: (result: PolicyResult) => Promise<void>;
}

/** The pull's result with the policy result and the pinned reference. */
export interface PullWithPolicyResult extends PullModelResult {
  policy: PolicyResult;
  /**
   * Who signed the OMS signature the policy bound, when one verified against the pulled files. That
   * signature is then in DEST as model.sig (unless the artifact has a file of that name), so
   * `verify DEST` and `watch DEST` work on DEST as it is.
   */
  signer?: SignerIdentity;
  /**
   * The digests the policy's evidence was bound to, as `sha256:<hex>`: the manifest digest and the
   * root of every bound OMS signature (never a root no bound signature vouches for). What a VSA names.
   */
  subjectDigests: string[];
}

/**
 * The policy result for a pull that failed after the policy passed on the signatures: a layer that
 * does not match its digest (DIGEST_MISMATCH), an unsafe path... The verdict is a denial, with the
 * failure as its last check (`pull.artifact`), so --result says why DEST is absent.
 */
function deniedByPull(result: PolicyResult, e: ModelsealError): PolicyResult {
  return {
    ...result,
    allowed: false,
    checks: [...result.checks, { name: 'pull.artifact', passed: false, reason: e.message, code: e.code }],
  };
}

/**
 * Pull `ref` into `dest` only if `opts.policy` allows it, over evidence bound to this artifact
 * (another model's signatures or attestations never count; the order of referrers never matters).
 * Throws the first failed check's error (SIGNATURE_MISSING, IDENTITY_MISMATCH, TAMPERED_FILE /
 * EXTRA_FILE / MISSING_FILE when no OMS signature lists exactly these files, SUBJECT_MISMATCH,
 * PROVENANCE_REJECTED, LICENSE_DENIED, SCAN_FAILED, ...) in enforce mode, before download when the
 * bound signatures and attestations already fail; the errors of pullModel (DIGEST_MISMATCH,
 * UNSAFE_PATH, ...); IGNORED_PATH for an artifact carrying paths verify ignores (.git, model.sig...)
 * unless `ignoredPaths: 'skip'`. DEST is absent whenever it throws.
 */
export async function pullWithPolicy(
  ref: string,
  dest: string,
  opts: PullWithPolicyOptions,
): Promise<PullWithPolicyResult> {
  const { target, selector, shown } = openSource(ref, opts);
  const ignoredPaths = opts.ignoredPaths ?? 'refuse'; // the policy path is strict unless told otherwise
  const plan = await planPull(target, selector, shown, opts.include, ignoredPaths);
  const verifier = policyVerifier(opts.policy.policy, opts);
  const gathered = await gatherReferrerEvidence(target, plan, shown, verifier);
  for (const s of gathered.skipped) opts.onWarning?.(s.message);
  const weights = opts.policy.policy.spec.require.weights !== undefined;
  // Files inside archive layers are compared only once staged: nothing OMS-bound can be judged before.
  const deferred = gathered.bound.unbound.some((u) => u.kind === 'oms' && u.code === 'UNSUPPORTED_ARTIFACT');

  // Before any weight byte: everything but the weight checks must already pass.
  const early = evaluatePolicy(opts.policy, gathered.evidence, { notEvaluated: weights ? ['weights'] : [] });
  const earlyFailure = deferred ? undefined : policyFailure(early);
  if (earlyFailure) {
    await opts.onResult?.(early);
    throw earlyFailure;
  }

  let result: PolicyResult = early;
  let decided = false;
  let signer: SignerIdentity | undefined;
  let subjectDigests = gathered.evidence.subjectDigests;
  const omsRule = opts.policy.policy.spec.require.signatures.oms;
  const omsSigners = (omsRule?.signedBy ?? []).map((n) =>
    identityMatcher(n, opts.policy.policy.spec.identities[n]),
  );
  const pulled = await pullModel(target, dest, {
    ...opts,
    ignoredPaths,
    reference: plan.descriptor.digest,
    beforeCommit: async (staged) => {
      // The files on disk, entry by entry, decide which OMS signatures (and so which roots) bind.
      const { evidence, bound } = await rebindEvidence(gathered, {
        shown,
        manifestDigest: plan.descriptor.digest,
        files: stagedFileSet(staged.dir, staged.files),
      });
      if (weights) Object.assign(evidence, evidenceFromScan(await scan(staged.dir)));
      result = evaluatePolicy(opts.policy, evidence);
      subjectDigests = evidence.subjectDigests;
      decided = true;
      const failure = policyFailure(result);
      if (failure) {
        await opts.onResult?.(result);
        throw failure;
      }
      // The bound OMS signature of an identity signatures.oms names goes beside the files (as pull
      // --verify does); never over a file of the artifact.
      const chosen = bound.oms.find((s) => omsSigners.some((m) => m.matches(s.signer)));
      if (chosen) {
        signer = chosen.signer;
        if (!staged.files.some((f) => f.path === DEFAULT_SIGNATURE_NAME))
          await writeFile(path.join(staged.dir, DEFAULT_SIGNATURE_NAME), chosen.bundle, {
            flag: 'wx',
            mode: 0o644,
          });
      }
    },
  }).catch(async (e: unknown) => {
    // A verification failure of the pull itself (DIGEST_MISMATCH...) is a verdict too: say it in --result.
    if (!decided && e instanceof ModelsealError && e.kind === 'verification')
      await opts.onResult?.(deniedByPull(result, e));
    throw e;
  });
  await opts.onResult?.(result);
  return { ...pulled, policy: result, subjectDigests: [...subjectDigests], ...(signer ? { signer } : {}) };
}
