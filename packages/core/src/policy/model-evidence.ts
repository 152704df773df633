// Gathers policy evidence for a model on disk (a directory or a single file): its OMS signature
// (model.sig) and attestation bundles, each verified with the same verifier and then bound to the
// model by source/bindEvidence, as for an artifact: the signature only when its manifest equals the
// files hashed as it says, an attestation only when it names the bound OMS root (or, with no bound
// signature, the root recomputed from the files). A bundle that does not verify, parse or bind
// becomes a failure of the check it would have served; input problems (unreadable files) are thrown.
import path from 'node:path';
import { ModelsealError } from '../errors.js';
import { stat } from 'node:fs/promises';
import { defaultAttestationPath } from '../attest/attest.js';
import { hashModel } from '../model/hash-model.js';
import { readInputFile } from '../read-input-file.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import { scan } from '../scan/scan-model.js';
import { directoryFileSet } from '../source/directory-file-set.js';
import { rebindEvidence } from '../source/referrer-evidence.js';
import { verifyBundles, type ListedBundle } from '../source/verify-bundles.js';
import { readBundleFile } from '../oms/read-bundle-file.js';
import type { VerifyModelSettings } from '../verify/verify-model.js';
import type { BundleVerifier } from '../verify/verifier.js';
import type { PolicyEvidence } from '../source/evidence.js';
import { evidenceFromScan } from './scan-evidence.js';
import { CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../in-toto/predicate-types.js';

/** Options of gatherModelEvidence. */
export interface ModelEvidenceOptions extends Pick<
  VerifyModelSettings,
  'signaturePath' | 'jobs' | 'onProgress'
> {
  /**
   * Default true: paths verify leaves out (.git, .gitattributes, .github, .gitignore, signed
   * ignore_paths) that exist fail the OMS signature check with IGNORED_PATH.
   */
  strict?: boolean;
  /** Checks every bundle; usually policyVerifier(policy). */
  verifier: BundleVerifier;
  /**
   * Attestation bundle files to read (each a Sigstore bundle holding a DSSE in-toto statement).
   * Default: the files `modelseal attest` writes beside the model for SLSA provenance v1 and
   * CycloneDX (`MODEL.<type>.sigstore.json`), those that exist.
   */
  attestationPaths?: string[];
  /** Also detect every file's format and scan pickles (scan); needed by a `weights` block. Default false. */
  scan?: boolean;
}

const exists = (f: string) =>
  stat(f).then(
    () => true,
    () => false,
  );

/** The signature file's bytes, or undefined when there is none. Throws UNREADABLE, MALFORMED_BUNDLE (too large). */
async function readSignature(file: string): Promise<Buffer | undefined> {
  try {
    return await readBundleFile(file);
  } catch (e) {
    if (e instanceof ModelsealError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * Verify and bind what is there for `modelPath` and return it as evidence. `subjectDigests` holds
 * the bound OMS root, or the root recomputed from the files when no signature bound. Bundles that
 * do not parse or bind are in `unbound` (and failures). Throws input errors only.
 */
export async function gatherModelEvidence(
  modelPath: string,
  opts: ModelEvidenceOptions,
): Promise<PolicyEvidence> {
  const signaturePath = path.resolve(opts.signaturePath ?? (await defaultSignaturePath(modelPath)));
  const attestationPaths = opts.attestationPaths?.length
    ? opts.attestationPaths
    : (
        await Promise.all(
          [SLSA_PROVENANCE_V1, CYCLONEDX_BOM].map(async (t) => {
            const f = defaultAttestationPath(modelPath, t);
            return (await exists(f)) ? f : undefined;
          }),
        )
      ).filter((f): f is string => f !== undefined);
  const listed: ListedBundle[] = [];
  const signature = await readSignature(signaturePath);
  if (signature) listed.push({ source: signaturePath, bytes: signature });
  for (const file of attestationPaths)
    listed.push({ source: file, bytes: await readInputFile(file, 'attestation') });
  const checked = await verifyBundles(listed, opts.verifier);
  const { evidence } = await rebindEvidence(checked, {
    shown: modelPath,
    files: directoryFileSet(modelPath, {
      signaturePath,
      jobs: opts.jobs,
      onProgress: opts.onProgress,
      strict: opts.strict ?? true,
    }),
    ownRoot: async () => `sha256:${(await hashModel(modelPath, { jobs: opts.jobs, signaturePath })).root}`,
  });
  if (opts.scan) {
    const ignore = path.relative(modelPath, signaturePath);
    const report = await scan(modelPath, { ignorePaths: ignore.startsWith('..') ? [] : [ignore] });
    Object.assign(evidence, evidenceFromScan(report));
  }
  return evidence;
}
