// The `gatherEvidence` verb: the evidence a policy is evaluated on, for any model source. Beside a
// model on disk: its OMS signature file and attestation bundle files (source/sibling-evidence); for
// an artifact: its bundle referrers, without downloading its weights (source/referrer-evidence).
// Either way every bundle is verified with one verifier and bound to this model before it counts
// (source/bindEvidence). With `scan`, the weight files are scanned too (for an artifact: fetched with
// digest checks).
import { resolveModelSource } from '../source/resolve-model-source.js';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { defaultAttestationPath } from '../attest/attest.js';
import { CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../in-toto/predicate-types.js';
import { openSource, type OpenTargetOptions } from '../oci/open-target.js';
import { planPull } from '../oci/pull/pull-plan.js';
import { scan } from '../scan/scan-model.js';
import type { PolicyEvidence } from '../source/evidence.js';
import type { ArtifactSource, ModelSource } from '../source/open-model-source.js';
import { artifactOptions } from '../source/artifact-options.js';
import { gatherReferrerEvidence } from '../source/referrer-evidence.js';
import { evidenceFromScan } from '../source/scan-evidence.js';
import { gatherSiblingEvidence } from '../source/sibling-evidence.js';
import type { VerifyModelSettings } from '../verify/verify-model.js';
import type { BundleVerifier } from '../oms/verifier.js';

/** Options of gatherEvidence. */
export interface GatherEvidenceOptions
  extends OpenTargetOptions, Pick<VerifyModelSettings, 'signaturePath' | 'jobs' | 'onProgress'> {
  /** Checks every bundle; usually policyVerifier(policy). */
  verifier: BundleVerifier;
  /**
   * Model on disk: default true: paths verify leaves out (.git, .gitattributes, .github, .gitignore,
   * signed ignore_paths) that exist fail the OMS signature check with IGNORED_PATH. (An artifact
   * carrying such a path is always IGNORED_PATH.)
   */
  strict?: boolean;
  /**
   * Model on disk only: attestation bundle files to read (each a Sigstore bundle holding a DSSE
   * in-toto statement). Default: the files `modelseal attest` writes beside the model for SLSA
   * provenance v1 and CycloneDX (`MODEL.<type>.sigstore.json`), those that exist. USAGE with an
   * artifact (its attestations are referrers). `signaturePath` likewise.
   */
  attestationPaths?: string[];
  /** Also detect every file's format and scan pickles (scan); needed by a `weights` block. Default false. */
  scan?: boolean;
}

/** What gatherEvidence found: the evidence, and for an artifact the manifest digest it is about. */
export type GatheredEvidence =
  | {
      kind: 'directory';
      /** The model's path as given. */
      path: string;
      /** The model as shown in messages. */
      shown: string;
      evidence: PolicyEvidence;
    }
  | {
      kind: 'artifact';
      /** The reference as given. */
      ref: string;
      /** The reference as shown in messages (`registry/repo:tag`, `oci:PATH@sha256:...`). */
      shown: string;
      /** The manifest digest the evidence is about (pin to it: a tag can move). */
      digest: string;
      evidence: PolicyEvidence;
    };

const exists = (f: string) =>
  stat(f).then(
    () => true,
    () => false,
  );

/** The attestation files beside `modelPath` `modelseal attest` writes, those that exist. */
async function defaultAttestationFiles(modelPath: string): Promise<string[]> {
  const found = await Promise.all(
    [SLSA_PROVENANCE_V1, CYCLONEDX_BOM].map(async (t) => {
      const f = defaultAttestationPath(modelPath, t);
      return (await exists(f)) ? f : undefined;
    }),
  );
  return found.filter((f): f is string => f !== undefined);
}

/**
 * Verify and bind the evidence of `source` (a ModelSource, or a string opened with openModelSource:
 * a missing path is NOT_FOUND and contacts nothing; an ArtifactSource's own options are used under
 * `options`). `evidence.subjectDigests` holds only what bound: the manifest digest of an artifact and
 * the root of each bound OMS signature (on disk, with no bound signature, the root recomputed from the
 * files). Bundles that do not parse, verify or bind are in `evidence.unbound` and failures, never
 * thrown. An artifact resolves once; an archive layer leaves every OMS signature unbound
 * (UNSUPPORTED_ARTIFACT: its files cannot be compared without download). Throws input errors: USAGE
 * (`attestationPaths`/`signaturePath` with an artifact), NOT_FOUND, UNREADABLE, BAD_REFERENCE,
 * registry errors, UNSUPPORTED_ARTIFACT (an index, an unnamed layer), UNSAFE_PATH (two layers
 * claiming one path), IGNORED_PATH.
 */
export function gatherEvidence(
  source: ArtifactSource,
  options: GatherEvidenceOptions,
): Promise<Extract<GatheredEvidence, { kind: 'artifact' }>>;
export function gatherEvidence(
  source: ModelSource | string,
  options: GatherEvidenceOptions,
): Promise<GatheredEvidence>;
export async function gatherEvidence(
  source: ModelSource | string,
  options: GatherEvidenceOptions,
): Promise<GatheredEvidence> {
  const opened = await resolveModelSource(source, options);
  if (opened.kind === 'directory') {
    const modelPath = opened.path;
    const { evidence, signaturePath } = await gatherSiblingEvidence(modelPath, {
      ...options,
      attestationPaths: options.attestationPaths?.length
        ? options.attestationPaths
        : await defaultAttestationFiles(modelPath),
    });
    if (options.scan) {
      const ignore = path.relative(modelPath, signaturePath);
      const report = await scan(opened, { ignorePaths: ignore.startsWith('..') ? [] : [ignore] });
      Object.assign(evidence, evidenceFromScan(report));
    }
    return { kind: 'directory', path: modelPath, shown: opened.shown, evidence };
  }
  const reach = artifactOptions(opened, options, ['attestationPaths', 'signaturePath']);
  const { target, selector, shown } = openSource(opened.ref, reach);
  const plan = await planPull(target, selector, shown, undefined, 'refuse');
  const { evidence } = await gatherReferrerEvidence(target, plan, shown, options.verifier);
  if (options.scan)
    Object.assign(evidence, evidenceFromScan(await scan(target, { reference: plan.descriptor.digest })));
  return { kind: 'artifact', ref: opened.ref, shown, digest: plan.descriptor.digest, evidence };
}
