// pullWithPolicy: the init container's job. Resolve the tag to a digest once; verify the bundle
// referrers of that digest against the policy before any weight byte is fetched; pull the layers
// into staging with digest checks; then, before the staged tree becomes DEST, check the files
// against the verified OMS signature and scan them when the policy has a `weights` block. DEST
// appears only when the whole policy passed (or in audit mode).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelsealError } from '../errors.js';
import { openSource } from '../oci/open-target.js';
import { pullModel, type PullModelOptions, type PullModelResult } from '../oci/pull-model.js';
import { scanModel } from '../scan/scan-model.js';
import { DEFAULT_SIGNATURE_NAME } from '../sign/signature-path.js';
import type { SignerIdentity } from '../verify/verifier.js';
import { verifyModel } from '../verify/verify-model.js';
import { evaluatePolicy, policyFailure } from './evaluate-policy.js';
import type { LoadedPolicy } from './load-policy.js';
import { gatherReferrerEvidence } from './oci-evidence.js';
import { policyVerifier, type PolicyVerifierOptions } from './policy-verifier.js';
import type { PolicyResult } from './result.js';
import { evidenceFromScan } from './scan-evidence.js';

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
 * Pull `ref` into `dest` only if `opts.policy` allows it. Throws the first failed check's error
 * (SIGNATURE_MISSING, IDENTITY_MISMATCH, PROVENANCE_REJECTED, LICENSE_DENIED, SCAN_FAILED, ...)
 * in enforce mode, before download when the signatures and attestations already fail; the errors
 * of pullModel (DIGEST_MISMATCH, UNSAFE_PATH, ...); TAMPERED_FILE etc. when the files do not match
 * the OMS signature; IGNORED_PATH for an artifact carrying paths verify ignores (.git, model.sig...)
 * unless `ignoredPaths: 'skip'`. DEST is absent whenever it throws.
 */
export async function pullWithPolicy(
  ref: string,
  dest: string,
  opts: PullWithPolicyOptions,
): Promise<PullWithPolicyResult> {
  const { target, selector } = openSource(ref, opts);
  const desc = await target.resolve(selector);
  const verifier = policyVerifier(opts.policy.policy, opts);
  const { evidence, omsBundle } = await gatherReferrerEvidence(target, desc, verifier);
  const weights = opts.policy.policy.spec.require.weights !== undefined;

  // Before any weight byte: everything but the weight checks must already pass.
  const early = evaluatePolicy(
    opts.policy,
    weights ? { ...evidence, files: [], scan: { clean: true, findings: [] } } : evidence,
  );
  const earlyFailure = policyFailure(early);
  if (earlyFailure) {
    await opts.onResult?.(early);
    throw earlyFailure;
  }

  let result: PolicyResult = early;
  let decided = false;
  let signer: SignerIdentity | undefined;
  const pulled = await pullModel(target, dest, {
    ...opts,
    ignoredPaths: opts.ignoredPaths ?? 'refuse', // the policy path is strict unless told otherwise
    reference: desc.digest,
    beforeCommit: async (staged) => {
      const final = { ...evidence, failures: [...(evidence.failures ?? [])] };
      if (omsBundle) {
        // The files on disk must be exactly the ones the verified OMS signature lists.
        const tmp = await mkdtemp(path.join(tmpdir(), 'modelseal-sig-'));
        try {
          const sigPath = path.join(tmp, 'model.sig');
          await writeFile(sigPath, omsBundle);
          const verified = await verifyModel(staged.dir, {
            verifier,
            signaturePath: sigPath,
            signal: opts.signal,
          });
          signer = verified.signer;
        } catch (e) {
          final.signatures = final.signatures.filter((s) => s.kind !== 'oms');
          if (!(e instanceof ModelsealError) || e.kind !== 'verification') throw e;
          final.failures.push({ check: 'signatures.oms', code: e.code, message: e.message });
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      }
      if (staged.omsRoot) final.subjectDigests = [...final.subjectDigests, `sha256:${staged.omsRoot}`];
      if (weights) Object.assign(final, evidenceFromScan(await scanModel(staged.dir)));
      result = evaluatePolicy(opts.policy, final);
      decided = true;
      const failure = policyFailure(result);
      if (failure) {
        await opts.onResult?.(result);
        throw failure;
      }
      // The bound OMS signature, verified against these files, goes beside them (as pull --verify
      // does); never over a file of the artifact.
      if (omsBundle && signer && !staged.files.some((f) => f.path === DEFAULT_SIGNATURE_NAME))
        await writeFile(path.join(staged.dir, DEFAULT_SIGNATURE_NAME), omsBundle, {
          flag: 'wx',
          mode: 0o644,
        });
    },
  }).catch(async (e: unknown) => {
    // A verification failure of the pull itself (DIGEST_MISMATCH...) is a verdict too: say it in --result.
    if (!decided && e instanceof ModelsealError && e.kind === 'verification')
      await opts.onResult?.(deniedByPull(result, e));
    throw e;
  });
  await opts.onResult?.(result);
  return { ...pulled, policy: result, ...(signer ? { signer } : {}) };
}
