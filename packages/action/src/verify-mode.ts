// `mode: verify`: check a model directory, or an artifact in a registry (optionally pulling it into
// `dest`), against a policy file or a signer (public key, or keyless identity and issuer). Any failure
// fails the job. Sets the outputs and writes the job summary; all checks are core's.
import * as core from '@actions/core';
import type { KeyObject } from 'node:crypto';
import {
  keyVerifier,
  pullModel,
  keylessVerifier,
  verify,
  openModelSource,
  artifactSource,
  type ModelSource,
  type BundleVerifier,
  type SignerIdentity,
} from '@modelseal/core';
import { loadPublicKey, loadPublicKeyFile } from '@modelseal/core/keys';
import { pullVerification, type VerifyArtifactResult } from '@modelseal/core/attest';
import {
  evaluatePolicy,
  gatherEvidence,
  loadPolicy,
  policyFailure,
  policyVerifier,
  pullWithPolicy,
  type PolicyEvidence,
  type PolicyResult,
} from '@modelseal/core/policy';
import { readVerifyInputs, type VerifyInputs } from './inputs.js';
import { isPemText } from './signer.js';
import { formatSize, writeSummary, type SummaryRow } from './summary.js';
import { warningWithInputs } from './error-hint.js';

/** `key <hint>`, `certificate <subject>` or the keyless identity and issuer. */
export function describeSigner(s: SignerIdentity): string {
  if (s.kind === 'key') return `key ${s.keyHint ?? ''}`.trim();
  if (s.kind === 'certificate') return `certificate ${s.subject} (issuer ${s.issuer})`;
  return `${s.identity} (issuer ${s.issuer})`;
}

const trustedRoot = (inputs: VerifyInputs) =>
  inputs.trustedRoot ? { kind: 'file' as const, path: inputs.trustedRoot } : undefined;

/** The verifier the trust inputs name, and the public key (which also checks legacy cosign `.sig` signatures). */
async function verifierFromInputs(
  inputs: VerifyInputs,
): Promise<{ verifier: BundleVerifier; publicKey?: KeyObject }> {
  if (inputs.publicKey) {
    const publicKey = isPemText(inputs.publicKey)
      ? loadPublicKey(inputs.publicKey, "input 'public-key'")
      : await loadPublicKeyFile(inputs.publicKey);
    return { verifier: keyVerifier({ publicKey }), publicKey };
  }
  const verifier = keylessVerifier({
    identity: inputs.certificateIdentity,
    identityRegExp: inputs.certificateIdentityRegexp,
    issuer: inputs.certificateOidcIssuer,
    issuerRegExp: inputs.certificateOidcIssuerRegexp,
    ...(inputs.trustedRoot ? { trustedRoot: trustedRoot(inputs) } : {}),
    ...(inputs.ignoreTlog ? { ignoreTlog: true } : {}),
  });
  return { verifier };
}

const credentials = (inputs: VerifyInputs) =>
  inputs.registry.username ? { credentials: { ...inputs.registry } } : {};

function policyRows(result: PolicyResult): SummaryRow[] {
  return [
    ['Policy', `${result.policy.name} (\`${result.policy.digest}\`, ${result.policy.mode})`],
    ['SLSA build level', String(result.slsaBuildLevel)],
    ...result.checks.map((c): SummaryRow => [c.name, `${c.passed ? 'pass' : 'FAIL'}: ${c.reason}`]),
  ];
}

/** The OMS root (`sha256:HEX`, the subject digest that is not the manifest's) and the OMS signer. */
function evidenceFacts(
  evidence: PolicyEvidence,
  manifestDigest?: string,
): { root?: string; signer?: string } {
  const oms = evidence.signatures.find((sig) => sig.kind === 'oms');
  const root = evidence.subjectDigests.find((d) => d !== manifestDigest);
  return { root, signer: oms ? describeSigner(oms.signer) : undefined };
}

async function verifyWithPolicy(inputs: VerifyInputs, rows: SummaryRow[]): Promise<void> {
  const loaded = await loadPolicy(inputs.policy as string);
  const trust = inputs.trustedRoot ? { trustedRoot: trustedRoot(inputs) } : {};
  let result: PolicyResult;
  const facts: { root?: string; signer?: string } = {};
  if (inputs.dest) {
    const pulled = await pullWithPolicy(inputs.registryRef as string, inputs.dest, {
      ...credentials(inputs),
      ...trust,
      policy: loaded,
    });
    core.setOutput('digest', pulled.digest);
    rows.push(['Manifest digest', `\`${pulled.digest}\``], ['Pulled to', `\`${inputs.dest}\``]);
    if (pulled.omsRoot) facts.root = `sha256:${pulled.omsRoot}`;
    if (pulled.signer) facts.signer = describeSigner(pulled.signer);
    result = pulled.policy;
  } else {
    // the bundles beside `model-path`, or the referrers of `registry-ref` (weights not downloaded
    // unless the policy's weights block needs them scanned)
    const gathered = await gatherEvidence(inputs.modelPath ?? (inputs.registryRef as string), {
      ...(inputs.modelPath ? { signaturePath: inputs.signaturePath } : credentials(inputs)),
      verifier: policyVerifier(loaded.policy, trust),
      scan: loaded.policy.spec.require.weights !== undefined,
    });
    const digest = gathered.kind === 'artifact' ? gathered.digest : undefined;
    if (digest) {
      core.setOutput('digest', digest);
      rows.push(['Manifest digest', `\`${digest}\``]);
    }
    Object.assign(facts, evidenceFacts(gathered.evidence, digest));
    result = evaluatePolicy(loaded, gathered.evidence);
  }
  rows.push(...policyRows(result));
  const failure = policyFailure(result);
  if (failure) {
    await writeSummary('modelseal: policy denied', rows);
    throw failure;
  }
  const verdict = result.allowed ? 'allowed' : 'denied (audit mode: not enforced)';
  // Audit mode never reports a verified model: a waived denial is verified=false, policy=denied-audit.
  core.setOutput('verified', String(result.allowed));
  core.setOutput('policy', result.allowed ? 'allowed' : 'denied-audit');
  if (facts.root) core.setOutput('oms-root', facts.root);
  if (facts.signer) core.setOutput('signer', facts.signer);
  core.info(
    `policy ${result.policy.name}: ${verdict} for ${inputs.modelPath ?? inputs.registryRef}` +
      (facts.signer ? `, signed by ${facts.signer}` : '') +
      (inputs.dest ? `, pulled into ${inputs.dest}` : ''),
  );
  await writeSummary(result.allowed ? 'modelseal: verified' : 'modelseal: denied (audit mode)', rows);
}

/** `registry-ref` and `dest`: a verified pull (signatures checked before any layer, files before DEST appears). */
async function pullVerified(
  inputs: VerifyInputs,
  trust: { verifier: BundleVerifier; publicKey?: KeyObject },
  rows: SummaryRow[],
): Promise<void> {
  const check = pullVerification(trust);
  const pulled = await pullModel(inputs.registryRef as string, inputs.dest as string, {
    ...credentials(inputs),
    verify: check,
  });
  rows.push(['Pulled to', `\`${inputs.dest}\` (${pulled.files.length} files)`]);
  await reportArtifact(inputs.registryRef as string, check.result as VerifyArtifactResult, rows);
}

/** The outputs, log line and summary of a verified artifact. */
async function reportArtifact(ref: string, result: VerifyArtifactResult, rows: SummaryRow[]): Promise<void> {
  for (const w of result.warnings) core.warning(warningWithInputs(w));
  const signer = describeSigner(result.signer);
  core.setOutput('verified', 'true');
  core.setOutput('digest', result.digest);
  if (result.signed) core.setOutput('oms-root', `sha256:${result.signed.root}`);
  core.setOutput('signer', signer);
  core.info(`verified ${ref} (${result.digest}), signed by ${signer}`);
  rows.push(['Manifest digest', `\`${result.digest}\``]);
  if (result.signed) rows.push(['OMS root', `\`sha256:${result.signed.root}\``]);
  rows.push(
    ['Signer', signer],
    [
      'Signatures',
      result.checks
        .map((c) => `${c.kind} \`${c.source}\`: ${c.verified ? 'verified' : `FAIL ${c.error?.code ?? ''}`}`)
        .join('<br>'),
    ],
  );
  await writeSummary('modelseal: verified', rows);
}

/** Runs `mode: verify`. Throws the verification error (its code) on any failure, after setting `verified=false`. */
export async function runVerify(): Promise<void> {
  try {
    await verifyFromInputs();
  } catch (e) {
    core.setOutput('verified', 'false');
    throw e;
  }
}

/** `model-path` or `registry-ref`, one ModelSource, one `verify` call; the report follows the source's kind. */
async function verifyFromInputs(): Promise<void> {
  const inputs = readVerifyInputs();
  const rows: SummaryRow[] = [
    inputs.modelPath ? ['Model', `\`${inputs.modelPath}\``] : ['Reference', `\`${inputs.registryRef}\``],
  ];
  if (inputs.policy) return verifyWithPolicy(inputs, rows);
  const trust = await verifierFromInputs(inputs);
  if (inputs.dest) return pullVerified(inputs, trust, rows);
  const source: ModelSource = inputs.modelPath
    ? await openModelSource(inputs.modelPath)
    : artifactSource(inputs.registryRef as string, credentials(inputs));
  let totalBytes = 0;
  const result = await verify(source, {
    ...trust,
    ...(source.kind === 'directory'
      ? {
          signaturePath: inputs.signaturePath,
          ignoreUnsignedFiles: inputs.ignoreUnsignedFiles,
          onProgress: (p: { bytesTotal: number }) => {
            totalBytes = p.bytesTotal;
          },
        }
      : {}),
  });
  if (result.kind === 'artifact') return reportArtifact(inputs.registryRef as string, result, rows);
  for (const w of result.warnings) core.warning(warningWithInputs(w));
  const signer = describeSigner(result.signer);
  core.setOutput('verified', 'true');
  core.setOutput('oms-root', `sha256:${result.manifest.root}`);
  core.setOutput('signer', signer);
  core.info(
    `verified ${inputs.modelPath}: sha256:${result.manifest.root}, ${result.files} files, signed by ${signer}`,
  );
  rows.push(
    ['Files', String(result.files)],
    ['Total size', formatSize(totalBytes)],
    ['OMS root', `\`sha256:${result.manifest.root}\``],
    ['Signer', signer],
  );
  await writeSummary('modelseal: verified', rows);
}
