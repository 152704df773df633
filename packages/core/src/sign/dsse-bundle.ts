// Assembles a Sigstore bundle v0.3 with a DSSE envelope, field by field in the order the Python
// model_signing 1.1 CLI writes (so our files diff cleanly against theirs).
import type { SerializedBundle } from '@sigstore/bundle';
import type { KeyMaterial } from './signer.js';

/** The Sigstore bundle v0.3 media type modelseal writes. */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A key/certificate-mode bundle (no transparency log entries). */
export function dsseBundle(
  material: KeyMaterial,
  payloadType: string,
  payload: Buffer,
  signature: Buffer,
): SerializedBundle {
  const envelope = {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ sig: signature.toString('base64'), keyid: '' }],
  };
  let vm: Record<string, unknown>;
  if (material.kind === 'publicKey') vm = { publicKey: { hint: material.hint } };
  else if (material.kind === 'certificateChain') {
    vm = {
      x509CertificateChain: {
        certificates: material.certificatesDer.map((d) => ({ rawBytes: d.toString('base64') })),
      },
    };
  } else vm = { certificate: { rawBytes: material.certificateDer.toString('base64') } };
  // sigstore's OneOf typing wants the absent alternatives spelled out; the JSON shape is what matters.
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { ...vm, tlogEntries: [] },
    dsseEnvelope: envelope,
  } as unknown as SerializedBundle;
}

/**
 * The bundle as an OCI referrer carries it for cosign and sigstore-go: bundle v0.3 forbids
 * `x509CertificateChain` (sigstore-go: "verification material cannot be X.509 certificate chain (for
 * bundle v0.3)"; cosign then skips the referrer), so a certificate-chain bundle gets its leaf alone in
 * `verificationMaterial.certificate`; the signature is unchanged (it covers the payload only). Key and
 * keyless bundles are returned as they are. A verifier then finds the intermediates among its own
 * trust anchors, as `cosign verify --certificate-chain` does.
 */
export function singleCertificateBundle(bundle: SerializedBundle): SerializedBundle {
  const vm = bundle.verificationMaterial as unknown as Record<string, unknown>;
  const chain = vm.x509CertificateChain as { certificates: { rawBytes: string }[] } | undefined;
  if (chain === undefined) return bundle;
  const { x509CertificateChain: _chain, ...rest } = vm;
  void _chain;
  return {
    ...bundle,
    verificationMaterial: { certificate: { rawBytes: chain.certificates[0].rawBytes }, ...rest },
  } as unknown as SerializedBundle;
}

/** The bundle as file bytes: compact JSON, no trailing newline (like model_signing 1.1). */
export function serializeBundle(bundle: SerializedBundle): Buffer {
  return Buffer.from(JSON.stringify(bundle), 'utf8');
}
