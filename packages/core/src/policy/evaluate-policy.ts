// evaluatePolicy: every required block of a ModelPolicy against the evidence verification
// established. Deny by default: each required block must produce passing checks; a block with no
// evidence fails. Pure and synchronous: no I/O, no clock but `now`.
import { ModelsealError } from '../errors.js';
import { checkProvenance } from './check-provenance.js';
import { checkSbom } from './check-sbom.js';
import type { PolicyEvidence } from './evidence.js';
import type { LoadedPolicy } from './load-policy.js';
import { describeSigner, identityMatcher, type IdentityMatcher } from './match-identity.js';
import type { PolicyCheck, PolicyResult } from './result.js';
import { CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../attest/predicate-types.js';
import { selectAttestations } from './select-attestations.js';

const isCycloneDx = (t: string) => t === CYCLONEDX_BOM || /^https:\/\/cyclonedx\.org\/bom\/v1\.\d+$/.test(t);

/** Options of evaluatePolicy. */
export interface EvaluatePolicyOptions {
  /** The evaluation time recorded in the result; default now. */
  now?: Date;
}

/**
 * Evaluate `loaded` (from loadPolicy/parsePolicy) over `evidence`. Never throws for a failed
 * check: the result lists every check with `passed` and a reason; `allowed` is true only when all
 * passed. `enforced` is false in audit mode. Use `policyFailure(result)` to turn a denial into an error.
 */
export function evaluatePolicy(
  loaded: LoadedPolicy,
  evidence: PolicyEvidence,
  opts: EvaluatePolicyOptions = {},
): PolicyResult {
  const { policy } = loaded;
  const matchers = new Map(
    Object.entries(policy.spec.identities).map(([n, id]) => [n, identityMatcher(n, id)]),
  );
  const signers = (names: string[]): IdentityMatcher[] =>
    names.map((n) => matchers.get(n) as IdentityMatcher);
  const req = policy.spec.require;
  const checks: PolicyCheck[] = [];

  for (const kind of ['oms', 'cosign'] as const) {
    const rule = req.signatures[kind];
    if (!rule) continue;
    const name = `signatures.${kind}`;
    const sigs = evidence.signatures.filter((s) => s.kind === kind);
    const allowed = signers(rule.signedBy);
    const hit = sigs.find((s) => allowed.some((m) => m.matches(s.signer)));
    if (hit) {
      const by = allowed.find((m) => m.matches(hit.signer))?.name;
      checks.push({ name, passed: true, reason: `signed by ${describeSigner(hit.signer)} (identity ${by})` });
    } else if (sigs.length === 0) {
      const failure = evidence.failures?.find((f) => f.check === name);
      checks.push(
        failure
          ? { name, passed: false, reason: failure.message, code: failure.code }
          : {
              name,
              passed: false,
              reason: `no verified ${kind === 'oms' ? 'OMS' : 'cosign'} signature`,
              code: 'SIGNATURE_MISSING',
            },
      );
    } else {
      checks.push({
        name,
        passed: false,
        reason: `signed by ${describeSigner(sigs[0].signer)}, not by ${rule.signedBy.join(' or ')}`,
        code: 'IDENTITY_MISMATCH',
      });
    }
  }

  let level = 0;
  if (req.provenance) {
    const rule = req.provenance;
    const picked = selectAttestations(
      'provenance.signer',
      evidence,
      (t) => t === SLSA_PROVENANCE_V1,
      signers(rule.signedBy),
    );
    checks.push(picked.check);
    const levels: number[] = [];
    for (const a of picked.accepted) {
      const r = checkProvenance(rule, a.statement.predicate);
      checks.push(...r.checks);
      levels.push(r.level);
    }
    if (levels.length > 0) level = Math.min(...levels);
  }

  if (req.sbom) {
    const rule = req.sbom;
    const picked = selectAttestations('sbom.signer', evidence, isCycloneDx, signers(rule.signedBy));
    checks.push(picked.check);
    for (const a of picked.accepted) checks.push(...checkSbom(rule, a.statement.predicate));
  }

  if (req.weights?.formats) {
    const allowed = req.weights.formats;
    const files = evidence.files;
    const bad = files?.find((f) => !allowed.includes(f.format));
    checks.push(
      files === undefined
        ? {
            name: 'weights.formats',
            passed: false,
            reason: 'the model files were not examined',
            code: 'WEIGHT_FORMAT_DENIED',
          }
        : bad
          ? {
              name: 'weights.formats',
              passed: false,
              reason: `${bad.path} is ${bad.format}, not one of ${allowed.join(', ')}`,
              code: 'WEIGHT_FORMAT_DENIED',
            }
          : {
              name: 'weights.formats',
              passed: true,
              reason: `${files.length} weight file(s) in ${allowed.join(', ')}`,
            },
    );
  }
  if (req.weights?.scan === 'clean') {
    const scan = evidence.scan;
    const first = scan?.findings[0];
    checks.push(
      scan === undefined
        ? {
            name: 'weights.scan',
            passed: false,
            reason: 'no scan of the weight files was run',
            code: 'SCAN_FAILED',
          }
        : !scan.clean
          ? {
              name: 'weights.scan',
              passed: false,
              reason: first ? `${first.path}: ${first.message}` : 'the scan is not clean',
              code: 'SCAN_FAILED',
            }
          : { name: 'weights.scan', passed: true, reason: 'the scan found nothing dangerous' },
    );
  }

  const allowed = checks.every((c) => c.passed);
  return {
    type: 'https://modelseal.dev/policy-result/v1',
    policy: { name: policy.metadata.name, digest: loaded.digest, mode: policy.spec.mode },
    allowed,
    enforced: policy.spec.mode === 'enforce',
    checks,
    slsaBuildLevel: allowed ? level : 0,
    evaluatedAt: (opts.now ?? new Date()).toISOString(),
  };
}

/**
 * The error for a denied, enforced result: the first failed check's code, and a one-line message
 * naming that check. Undefined when the result is allowed or only audited.
 */
export function policyFailure(result: PolicyResult): ModelsealError | undefined {
  if (result.allowed || !result.enforced) return undefined;
  const failed = result.checks.filter((c) => !c.passed);
  const first = failed[0];
  const more = failed.length > 1 ? ` (${failed.length - 1} more failed check(s))` : '';
  return new ModelsealError(
    first.code ?? 'SIGNATURE_MISSING',
    `policy ${result.policy.name}: ${first.name}: ${first.reason}${more}`,
    {
      details: { result },
    },
  );
}
