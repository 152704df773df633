// SLSA Verification Summary Attestation (https://slsa.dev/verification_summary/v1) for a policy
// result: which policy (by digest) was applied to which artifact, the outcome and the verified
// levels, so downstream systems can trust one signed summary instead of re-verifying.
import { ModelsealError } from '../errors.js';
import type { PolicyResult } from './result.js';
import type { VerifiedStatement } from '../source/evidence.js';

/** The VSA v1 predicate type. */
export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
/** The verifier id modelseal writes into VSAs. */
export const MODELSEAL_VERIFIER_ID = 'https://modelseal.dev/verifier/v1';

/** What the VSA is about. */
export interface VsaSubject {
  /** The artifact as given (an OCI reference pinned by digest, or a path). */
  resourceUri: string;
  /** `alg:hex` digests of the artifact (manifest digest, OMS root). */
  digests: string[];
  /** Name for the statement subject (default: resourceUri). */
  name?: string;
}

const digestSet = (d: string): Record<string, string> => {
  const i = d.indexOf(':');
  return { [d.slice(0, i)]: d.slice(i + 1) };
};

/**
 * Build the unsigned VSA statement for `result`. `verificationResult` is PASSED only when every
 * check passed (an audit-mode failure is FAILED). Verified levels: SLSA_BUILD_LEVEL_n from the
 * provenance when it passed, else SLSA_BUILD_LEVEL_0. Throws USAGE without a subject digest. Sign it with any BundleSigner
 * (`signStatement(Buffer.from(JSON.stringify(vsa)), 'application/vnd.in-toto+json')`).
 */
export function buildVsa(
  result: PolicyResult,
  subject: VsaSubject,
  opts: { verifierVersion?: string; inputAttestations?: string[] } = {},
): VerifiedStatement {
  if (subject.digests.length === 0)
    throw new ModelsealError('USAGE', 'a VSA needs at least one subject digest');
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subject.digests.map((d) => ({
      name: subject.name ?? subject.resourceUri,
      digest: digestSet(d),
    })),
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: MODELSEAL_VERIFIER_ID, version: { modelseal: opts.verifierVersion ?? '0.1.0' } },
      timeVerified: result.evaluatedAt,
      resourceUri: subject.resourceUri,
      policy: { uri: `modelseal:policy/${result.policy.name}`, digest: digestSet(result.policy.digest) },
      inputAttestations: (opts.inputAttestations ?? []).map((d) => ({ digest: digestSet(d) })),
      verificationResult: result.allowed ? 'PASSED' : 'FAILED',
      verifiedLevels: [`SLSA_BUILD_LEVEL_${result.allowed ? result.slsaBuildLevel : 0}`],
      slsaVersion: '1.0',
    },
  };
}
