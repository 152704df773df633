// Evidence for an OCI artifact without downloading its weights (`verify REF --policy`, e.g. for a
// model mounted as an image volume): the bundle referrers verified with the policy's identities,
// and the verified OMS signature compared with the manifest's layers (a raw layer's digest is the
// file's sha256, which is the OMS resource digest). With `scan`, the weight files are fetched with
// digest checks and scanned.
import { ModelsealError } from '../errors.js';
import { fetchVerifiedManifest } from '../oci/manifest-fetch.js';
import { parseManifest } from '../oci/manifest.js';
import { ModelPackAnnotations } from '../oci/modelpack/media-types.js';
import { openSource, type OpenTargetOptions } from '../oci/open-target.js';
import { manifestFiles, parseStatement } from '../oms/statement.js';
import { scanModel } from '../scan/scan-model.js';
import type { BundleVerifier } from '../verify/verifier.js';
import type { PolicyEvidence, VerificationFailure } from './evidence.js';
import { gatherReferrerEvidence } from './oci-evidence.js';
import { evidenceFromScan } from './scan-evidence.js';

/** Options of gatherReferenceEvidence. */
export interface ReferenceEvidenceOptions extends OpenTargetOptions {
  verifier: BundleVerifier;
  /** Fetch (digest-checked) and scan the weight files; needed by a `weights` block. Default false. */
  scan?: boolean;
}

const TITLE = 'org.opencontainers.image.title';

/** Why the signed files differ from the layers, or undefined when they are the same set. */
function compareWithLayers(payload: Buffer, layers: Map<string, string>, where: string): string | undefined {
  const signed = parseStatement(payload, where);
  if (signed.config.method !== 'files' || signed.config.hashType !== 'sha256') {
    return `the OMS signature hashes ${signed.config.method}/${signed.config.hashType}; only files/sha256 can be checked against layer digests without pulling`;
  }
  const files = new Map(signed.resources.map((r) => [r.name, r.digest]));
  for (const name of manifestFiles(signed)) {
    const layer = layers.get(name);
    if (layer === undefined) return `model file '${name}' is signed but not in the artifact`;
    if (layer !== `sha256:${files.get(name)}`)
      return `model file '${name}' is in the artifact with another digest than signed`;
  }
  for (const name of layers.keys())
    if (!files.has(name)) return `the artifact holds '${name}', which is not signed`;
  return undefined;
}

/** Resolve `ref` once and gather its evidence; returns it with the pinned digest. Throws input errors. */
export async function gatherReferenceEvidence(
  ref: string,
  opts: ReferenceEvidenceOptions,
): Promise<{ evidence: PolicyEvidence; digest: string; shown: string }> {
  const { target, selector, shown } = openSource(ref, opts);
  const desc = await target.resolve(selector);
  const { evidence, omsPayload } = await gatherReferrerEvidence(target, desc, opts.verifier);
  const failures = evidence.failures as VerificationFailure[];
  if (omsPayload) {
    const parsed = parseManifest(await fetchVerifiedManifest(target, desc), desc.mediaType, shown);
    if (parsed.kind !== 'manifest')
      throw new ModelsealError('UNSUPPORTED_ARTIFACT', `${shown}: an index, not a model manifest`);
    const layers = new Map<string, string>();
    for (const l of parsed.manifest.layers) {
      const name =
        l.annotations?.[ModelPackAnnotations.filepath] ??
        l.annotations?.[ModelPackAnnotations.legacyFilepath] ??
        l.annotations?.[TITLE];
      if (name !== undefined) layers.set(name, l.digest);
    }
    const why = compareWithLayers(omsPayload, layers, shown);
    if (why) {
      evidence.signatures = evidence.signatures.filter((s) => s.kind !== 'oms');
      failures.push({ check: 'signatures.oms', code: 'MANIFEST_INCONSISTENT', message: `${shown}: ${why}` });
    }
  }
  if (opts.scan)
    Object.assign(evidence, evidenceFromScan(await scanModel(target, { reference: desc.digest })));
  return { evidence, digest: desc.digest, shown };
}
