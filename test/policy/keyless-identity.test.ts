// Keyless identities in a policy against real Fulcio certificates from the local Sigstore stack:
// SAN and issuer patterns are anchored, Fulcio extensions are compared after DER decoding, and a
// list of identities is OR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keylessSigner, keylessVerifier, type BundleVerifier } from '../../packages/core/src/index.js';
import { loadTrustedRoot } from '../../packages/core/src/sigstore.js';
import { evaluatePolicy } from '../../packages/core/src/policy/evaluate-policy.js';
import type { PolicyEvidence } from '../../packages/core/src/source/evidence.js';
import { parsePolicy } from '../../packages/core/src/policy/load-policy.js';
import { GITHUB_ISSUER, startSigstoreStack, type SigstoreStack } from '../sigstore/stack.js';
import { MODEL_DIGEST, statement, verifiedAttestation } from './signed-evidence.js';

const SAN = 'https://github.com/octo/model/.github/workflows/release.yml@refs/heads/main';
let stack: SigstoreStack;
let evidence: PolicyEvidence;

beforeAll(async () => {
  stack = await startSigstoreStack();
  // The verifier proves the certificate chain, SCT and tlog; identity is left to the policy here.
  const verifier: BundleVerifier = keylessVerifier({
    trustedRoot: await loadTrustedRoot({ kind: 'file', path: stack.trustedRootPath }),
    identityRegExp: '.*',
    issuerRegExp: '.*',
  });
  const signer = keylessSigner({
    signingConfig: stack.signingConfigPath,
    identityToken: stack.githubToken(),
  });
  const a = await verifiedAttestation(
    statement('https://model_signing/signature/v1.0', {}),
    signer,
    verifier,
  );
  evidence = {
    subjectDigests: [MODEL_DIGEST],
    signatures: [{ kind: 'oms', signer: a.signer }],
    attestations: [],
  };
});
afterAll(async () => {
  await stack?.close();
});

const policy = (identities: string, signedBy = '[ci]') =>
  parsePolicy(`apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: keyless}
spec:
  identities:
${identities}
  require:
    signatures:
      oms: {signedBy: ${signedBy}}
`);

const outcome = (identities: string, signedBy?: string) => {
  const r = evaluatePolicy(policy(identities, signedBy), evidence);
  return [r.allowed, r.checks[0].code, r.checks[0].reason];
};

describe('keyless identities in a policy', () => {
  it('the verified signer carries the GitHub SAN, issuer and decoded extensions', () => {
    expect(evidence.signatures[0].signer).toMatchObject({
      kind: 'keyless',
      identity: SAN,
      issuer: GITHUB_ISSUER,
      extensions: {
        sourceRepositoryURI: 'https://github.com/octo/model',
        sourceRepositoryRef: 'refs/heads/main',
      },
    });
  });

  it('exact subject + issuer + extensions match', () => {
    const ids = `    ci:
      keyless:
        issuer: ${GITHUB_ISSUER}
        subject: ${SAN}
        extensions: {sourceRepositoryURI: 'https://github.com/octo/model', sourceRepositoryRef: refs/heads/main}`;
    expect(outcome(ids)).toEqual([
      true,
      undefined,
      `signed by ${SAN} (issuer ${GITHUB_ISSUER}) (identity ci)`,
    ]);
  });

  it('a pattern must match the whole SAN: a prefix-only pattern fails', () => {
    const prefix = `    ci:\n      keyless: {issuer: ${GITHUB_ISSUER}, subjectRegExp: 'https://github\\.com/octo/model/'}`;
    expect(outcome(prefix)[0]).toBe(false);
    const whole = `    ci:\n      keyless: {issuer: ${GITHUB_ISSUER}, subjectRegExp: 'https://github\\.com/octo/model/.*@refs/heads/main'}`;
    expect(outcome(whole)[0]).toBe(true);
    // Unanchored, `refs/heads/main` would be found inside the SAN.
    const inner = `    ci:\n      keyless: {issuer: ${GITHUB_ISSUER}, subjectRegExp: 'refs/heads/main'}`;
    expect(outcome(inner)[0]).toBe(false);
  });

  it('a wrong extension value or issuer is IDENTITY_MISMATCH', () => {
    const ext = `    ci:\n      keyless: {issuer: ${GITHUB_ISSUER}, subject: '${SAN}', extensions: {sourceRepositoryRef: refs/heads/dev}}`;
    expect(outcome(ext)).toEqual([
      false,
      'IDENTITY_MISMATCH',
      `signed by ${SAN} (issuer ${GITHUB_ISSUER}), not by ci`,
    ]);
    const iss = `    ci:\n      keyless: {issuer: https://accounts.google.com, subject: '${SAN}'}`;
    expect(outcome(iss)[1]).toBe('IDENTITY_MISMATCH');
  });

  it('a list of identities is OR', () => {
    const ids = `    other:\n      keyless: {issuer: ${GITHUB_ISSUER}, subject: someone@example.test}\n    ci:\n      keyless: {issuer: ${GITHUB_ISSUER}, subject: '${SAN}'}`;
    expect(outcome(ids, '[other, ci]')).toEqual([
      true,
      undefined,
      `signed by ${SAN} (issuer ${GITHUB_ISSUER}) (identity ci)`,
    ]);
    expect(outcome(ids, '[other]')[0]).toBe(false);
  });
});
