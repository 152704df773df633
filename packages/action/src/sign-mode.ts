// `mode: sign`: sign the model directory (OMS signature), push it when `registry-ref` is given and sign
// the artifact there (OMS + cosign signature referrers), attest SLSA provenance and a CycloneDX ML-BOM
// about it (files beside the model, and referrers of the artifact), optionally store the provenance in
// GitHub's attestation store, then set the outputs and write the job summary. All the work is core's.
import { writeFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { ModelsealError, artifactSource, pushModel, sign, sbom, type SignResult } from '@modelseal/core';
import {
  CYCLONEDX_BOM,
  SLSA_PROVENANCE_V1,
  attachBundle,
  defaultAttestationPath,
  provenanceStatement,
  openArtifact,
  type OpenedArtifact,
  onGithubActions,
  signStatement,
  storeGithubAttestation,
  type StatementSubject,
} from '@modelseal/core/attest';
import { serializeBundle } from '@modelseal/core/oms';
import { hasIdTokenPermission, requireIdTokenPermission } from './id-token.js';
import { readSignInputs, type SignInputs } from './inputs.js';
import { signerFromInputs, type ActionSigner } from './signer.js';
import { certificateIdentity, formatSize, rekorEntry, writeSummary, type SummaryRow } from './summary.js';

type Bundle = SignResult['bundle'];

/**
 * Signs the statement, writes the bundle beside the model (MODEL.<type>.sigstore.json) and, for a
 * pushed model, attaches the same bundle to the artifact as a referrer.
 */
async function attestTo(
  modelPath: string,
  subjects: StatementSubject[],
  predicateType: string,
  predicate: unknown,
  signer: ActionSigner,
  artifact: OpenedArtifact | undefined,
): Promise<{ path: string; bundle: Bundle; referrer?: string }> {
  const bundle = await signStatement({ subject: subjects, predicateType, predicate }, signer.signer);
  const bytes = serializeBundle(bundle);
  const file = defaultAttestationPath(modelPath, predicateType);
  await writeFile(file, bytes);
  if (!artifact) return { path: file, bundle };
  const referrer = await attachBundle(artifact.target, artifact.plan.descriptor, bytes, predicateType);
  return { path: file, bundle, referrer: referrer.digest };
}

/** `key <hint>`, or the keyless certificate's identity and the token's issuer. */
function signerCell(signer: ActionSigner, bundle: Bundle): string {
  const identity = certificateIdentity(bundle);
  if (!identity) return signer.identity;
  return `${identity}${signer.issuer ? ` (issuer ${signer.issuer})` : ''}`;
}

const credentials = (inputs: SignInputs) =>
  inputs.registry.username ? { credentials: { ...inputs.registry } } : {};

/** Runs `mode: sign`. Throws what core throws (typed ModelsealError codes). */
export async function runSign(): Promise<void> {
  const inputs = readSignInputs();
  const signer = await signerFromInputs(inputs);
  // Fail before any work when the job cannot get the OIDC token the provenance needs. With a key the
  // signature needs no token, so say both ways out: no provenance, or the permission.
  if (inputs.provenance && onGithubActions(process.env)) {
    if (inputs.key && !hasIdTokenPermission())
      throw new ModelsealError(
        'MISSING_IDENTITY_TOKEN',
        "the key signs the model, but the provenance (input 'provenance', on by default) reads the workflow identity from the job OIDC token, which this job cannot get (ACTIONS_ID_TOKEN_REQUEST_URL is not set): set 'provenance: false', or add the line 'id-token: write' under 'permissions:'",
      );
    requireIdTokenPermission('GitHub provenance reads the workflow identity from the job OIDC token');
  }
  let totalBytes = 0;
  // sign mode signs the model on disk (then pushes it): model-path is a directory or file, never a reference
  const model = { kind: 'directory', path: inputs.modelPath, shown: inputs.modelPath } as const;
  const signed = await sign(model, {
    signer: signer.signer,
    signaturePath: inputs.signaturePath,
    overwrite: inputs.overwrite,
    ignorePaths: inputs.ignorePaths,
    allowSymlinks: inputs.allowSymlinks,
    protectedPaths: inputs.key && !inputs.key.includes('-----BEGIN ') ? [inputs.key] : [],
    onProgress: (p) => {
      totalBytes = p.bytesTotal;
    },
  });
  const root = signed.manifest.root;
  core.setOutput('oms-root', `sha256:${root}`);
  core.setOutput('signature-path', signed.signaturePath);
  core.info(`signed ${signed.manifest.subjectName} (sha256:${root}) -> ${signed.signaturePath}`);
  const rows: SummaryRow[] = [
    ['Model', `\`${inputs.modelPath}\``],
    ['Files', String(signed.manifest.resources.length)],
    ['Total size', formatSize(totalBytes)],
    ['OMS root', `\`sha256:${root}\``],
    ['Signature', `\`${signed.signaturePath}\``],
    ['Signer', signerCell(signer, signed.bundle)],
  ];
  const rekor = rekorEntry(signed.bundle, signer.publicGood);
  if (rekor) rows.push(['Rekor entry', rekor]);

  const subjects: StatementSubject[] = [{ name: signed.manifest.subjectName, digest: { sha256: root } }];
  let pushedRef: string | undefined;
  let artifact: OpenedArtifact | undefined;
  const referrers: string[] = [];
  if (inputs.registryRef) {
    const pushed = await pushModel(inputs.modelPath, inputs.registryRef, {
      ...credentials(inputs),
      walk: {
        signaturePath: signed.signaturePath,
        ignorePaths: inputs.ignorePaths,
        allowSymlinks: inputs.allowSymlinks,
      },
    });
    pushedRef = pushed.reference;
    core.setOutput('digest', pushed.digest);
    core.info(`pushed ${pushed.reference}`);
    rows.push(['Pushed', `\`${pushed.reference}\``], ['Manifest digest', `\`${pushed.digest}\``]);
    const onArtifact = await sign(artifactSource(pushed.reference, credentials(inputs)), {
      signer: signer.signer,
    });
    referrers.push(
      `OMS signature \`${onArtifact.oms.digest}\``,
      `cosign signature \`${onArtifact.cosign.digest}\``,
    );
    artifact = await openArtifact(pushed.reference, credentials(inputs));
    // The manifest digest first: cosign prints Subject[0], and `gh attestation verify oci://` matches it.
    subjects.unshift({
      name: inputs.registryRef.replace(/[:@][^:@/]*$/, ''),
      digest: { sha256: pushed.digest.slice('sha256:'.length) },
    });
  }

  if (inputs.provenance) {
    const statement = await provenanceStatement(subjects, {
      datasets: inputs.datasets,
      baseModels: inputs.baseModels,
      sourceDir: false,
    });
    const prov = await attestTo(
      inputs.modelPath,
      subjects,
      SLSA_PROVENANCE_V1,
      statement.predicate,
      signer,
      artifact,
    );
    if (prov.referrer) referrers.push(`provenance \`${prov.referrer}\``);
    core.setOutput('provenance-bundle', prov.path);
    rows.push(['Provenance', `\`${prov.path}\` (${statement.predicate.buildDefinition.buildType})`]);
    if (inputs.githubAttestations) {
      const stored = await storeGithubAttestation(prov.bundle, {
        repository: process.env.GITHUB_REPOSITORY ?? '',
        token: inputs.githubToken as string,
      });
      core.setOutput('attestation-id', stored.id);
      rows.push(['GitHub attestation', `id ${stored.id} (\`gh attestation verify oci://${pushedRef}\`)`]);
    }
  }
  if (inputs.sbom) {
    const bom = await sbom(inputs.modelPath);
    const attested = await attestTo(inputs.modelPath, subjects, CYCLONEDX_BOM, bom, signer, artifact);
    if (attested.referrer) referrers.push(`SBOM \`${attested.referrer}\``);
    core.setOutput('sbom-bundle', attested.path);
    rows.push(['SBOM', `\`${attested.path}\` (CycloneDX 1.6, ${bom.serialNumber})`]);
  }
  if (referrers.length) rows.push(['Referrers', referrers.join('<br>')]);
  await writeSummary('modelseal: signed', rows);
}
