// The policy result: every check with its outcome and reason, as printed by `--json` / `--result`.
import type { ErrorCode } from '../errors.js';
import type { UnboundEvidence } from '../source/evidence.js';

/** One evaluated check. `code` is the error code a failure maps to. */
export interface PolicyCheck {
  /** Stable dotted name, e.g. `signatures.oms`, `provenance.builder`, `sbom.licenses`. */
  name: string;
  passed: boolean;
  /** Why it passed or failed, one line. */
  reason: string;
  code?: ErrorCode;
  /**
   * 'not evaluated' for a check that never ran (e.g. the weight checks of a result made before
   * download): `passed` is then false, and it is not a failure of its own.
   */
  status?: 'not evaluated';
}

/** The outcome of evaluating a policy over one model's evidence. */
export interface PolicyResult {
  /** Names the document format, so readers can recognise it. */
  type: 'https://modelseal.dev/policy-result/v1';
  policy: { name: string; digest: string; mode: 'enforce' | 'audit' };
  /** True when every check passed. */
  allowed: boolean;
  /** True in enforce mode: a failure stops the deployment. False in audit mode. */
  enforced: boolean;
  checks: PolicyCheck[];
  /** SLSA build level established from the provenance (0 when none was required or it failed). */
  slsaBuildLevel: number;
  evaluatedAt: string;
  /**
   * Evidence that was found but not used: signatures and attestations about another artifact, and
   * bundles that do not parse, each with its code and reason. Absent when there is none.
   */
  unbound?: UnboundEvidence[];
}
