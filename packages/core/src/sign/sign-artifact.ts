// The artifact side of `sign`: sign a model artifact where it is stored (registry or OCI layout)
// without downloading a layer. Two referrers go onto its manifest: the OMS model signature (resources
// = the layers' paths and digests; the statement `sign DIR` makes for the pulled directory) and a
// cosign-compatible signature (DSSE, subject = the manifest digest, predicateType cosign/sign/v1; a
// certificate signer's leaf alone in `certificate`, as bundle v0.3 requires).
import type { SerializedBundle } from '@sigstore/bundle';
import { OMS_PREDICATE_TYPE } from '../oms/statement.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import { serializeBundle, singleCertificateBundle } from './dsse-bundle.js';
import type { BundleSigner } from './signer.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { Descriptor } from '../oci/target.js';
import type { ModelManifest } from '../types.js';
import { buildInTotoStatement } from '../in-toto/statement.js';
import { openArtifact, omsManifestOf } from '../source/oci-artifact.js';
import { attachBundle } from '../source/oci-referrers.js';
import { COSIGN_SIGN_V1 } from '../in-toto/predicate-types.js';
import { untilAborted } from '../abort-race.js';
import { signManifest } from './sign-manifest.js';

/** What signing an artifact attached: the two referrers, and the manifest digest and OMS root they sign. */
export interface ArtifactSignResult {
  kind: 'artifact';
  reference: string;
  /** The signed manifest's digest. */
  digest: string;
  /** OMS root (hex) of the artifact's files. */
  root: string;
  /** The OMS manifest of the artifact's layers (what the OMS signature signs). */
  manifest: ModelManifest;
  /** The OMS signature bundle. */
  bundle: SerializedBundle;
  /** The OMS signature referrer. */
  oms: Descriptor;
  /** The cosign-compatible signature referrer. */
  cosign: Descriptor;
}

/**
 * Signs the artifact `ref` (e.g. `127.0.0.1:5000/models/m:v1`, `oci:./layout:v1`) with `signer`,
 * reading only the manifest. Throws UNSUPPORTED_ARTIFACT for archive layers (no per-file digest in the
 * manifest), EMPTY_MODEL, NOT_FOUND, registry errors, and whatever the signer throws. Nothing is
 * attached unless both signatures were made.
 */
export async function signArtifact(
  ref: string,
  opts: OpenTargetOptions & { signer: BundleSigner },
): Promise<ArtifactSignResult> {
  const artifact = await openArtifact(ref, opts);
  const manifest = omsManifestOf(artifact);
  const subject = artifact.plan.descriptor;
  const oms = await signManifest(manifest, opts.signer, opts.signal);
  const cosignStatement = buildInTotoStatement(
    [{ digest: { sha256: subject.digest.slice('sha256:'.length) } }],
    COSIGN_SIGN_V1,
    {},
  );
  const cosign = await untilAborted(
    opts.signer.signStatement(cosignStatement, IN_TOTO_PAYLOAD_TYPE),
    opts.signal,
  );
  const omsDesc = await attachBundle(artifact.target, subject, serializeBundle(oms), OMS_PREDICATE_TYPE);
  // The OMS referrer is pulled as DEST/model.sig, so it keeps model_signing's format (a certificate
  // chain, which model_signing reads); the cosign one is in the v0.3 form cosign and sigstore-go read.
  const cosignDesc = await attachBundle(
    artifact.target,
    subject,
    serializeBundle(singleCertificateBundle(cosign)),
    COSIGN_SIGN_V1,
  );
  return {
    kind: 'artifact',
    reference: artifact.shown,
    digest: subject.digest,
    root: manifest.root,
    manifest,
    bundle: oms,
    oms: omsDesc,
    cosign: cosignDesc,
  };
}
