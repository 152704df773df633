// evaluatePolicy: every required block of a ModelPolicy against the evidence verification
// established. Deny by default: each required block must produce passing checks; a block with no
// evidence fails. Pure and synchronous: no I/O, no clock but `now`.
import { ModelsealError } from '../errors.js';
import { checkProvenance } from './check-provenance.js';
import { checkSbom } from './check-sbom.js';
import type { PolicyEvidence } from '../source/evidence.js';
import type { LoadedPolicy } from './load-policy.js';
import { describeSigner, identityMatcher, type IdentityMatcher } from './match-identity.js';
import type { PolicyCheck, PolicyResult } from './result.js';
import { evidenceKind } from '../source/evidence-kind.js';
import { pathGlobMatcher } from './path-glob.js';
import { selectAttestations } from './select-attestations.js';

/** Options of evaluatePolicy. */
export interface EvaluatePolicyOptions {
  /** The evaluation time recorded in the result; default now. */
  now?: Date;
  /**
   * Blocks whose checks cannot run yet (only `weights`, before download): their checks are listed
   * with `status: 'not evaluated'` and `passed: false`. Default none.
   */
  notEvaluated?: 'weights'[];
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
      (t) => evidenceKind(t) === 'provenance',
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
    const picked = selectAttestations(
      'sbom.signer',
      evidence,
      (t) => evidenceKind(t) === 'sbom',
      signers(rule.signedBy),
    );
    checks.push(picked.check);
    for (const a of picked.accepted) checks.push(...checkSbom(rule, a.statement.predicate));
  }

  const weightsPending = opts.notEvaluated?.includes('weights') ?? false;
  if (req.weights && weightsPending) {
    for (const name of [req.weights.formats ? 'weights.formats' : '', req.weights.scan ? 'weights.scan' : ''])
      if (name)
        checks.push({
          name,
          passed: false,
          status: 'not evaluated',
          reason: 'not evaluated: the weight files are examined after download',
        });
  }
  if (req.weights?.formats && !weightsPending) {
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
  if (req.weights?.scan === 'clean' && !weightsPending) {
    const scan = evidence.scan;
    const first = scan?.findings[0];
    const allowUnknown = pathGlobMatcher(req.weights.allowUnknown ?? []);
    const unknown = scan?.unknown ?? [];
    const deniedUnknown = unknown.filter((p) => !allowUnknown(p));
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
          : deniedUnknown.length > 0
            ? {
                name: 'weights.scan',
                passed: false,
                reason: `${deniedUnknown[0]} is of unknown format: no loader the scanner knows accepts it, so it cannot be shown safe; name it in weights.allowUnknown to let it through${deniedUnknown.length > 1 ? ` (${deniedUnknown.length - 1} more file(s) of unknown format)` : ''}`,
                code: 'SCAN_FAILED',
              }
            : {
                name: 'weights.scan',
                passed: true,
                reason: `the scan found nothing dangerous${unknown.length > 0 ? ` (${unknown.length} file(s) of unknown format allowed by weights.allowUnknown)` : ''}`,
              },
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
    ...(evidence.unbound && evidence.unbound.length > 0 ? { unbound: evidence.unbound } : {}),
  };
}

/**
 * The error for a denied, enforced result: the first failed check's code, and a one-line message
 * naming that check. Undefined when the result is allowed or only audited, and when the only checks
 * that did not pass are 'not evaluated' (nothing has failed yet; such a result is still not allowed).
 */
export function policyFailure(result: PolicyResult): ModelsealError | undefined {
  if (result.allowed || !result.enforced) return undefined;
  const failed = result.checks.filter((c) => !c.passed && c.status !== 'not evaluated');
  if (failed.length === 0) return undefined;
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
