// The one step both sides of `sign` share: an OMS manifest (of a directory's files, or of an
// artifact's layers) becomes the OMS statement, signed by any BundleSigner as a DSSE bundle.
import type { SerializedBundle } from '@sigstore/bundle';
import { untilAborted } from '../abort-race.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import { buildStatement } from '../oms/statement.js';
import type { ModelManifest } from '../types.js';
import type { BundleSigner } from './signer.js';

/**
 * Sign the OMS statement of `manifest` with `signer`. Throws what the signer throws; when `signal`
 * aborts (a keyless signer may wait on the network or a browser sign-in) it rejects at once with the
 * signal's reason.
 */
export async function signManifest(
  manifest: ModelManifest,
  signer: BundleSigner,
  signal?: AbortSignal,
): Promise<SerializedBundle> {
  return untilAborted(signer.signStatement(buildStatement(manifest), IN_TOTO_PAYLOAD_TYPE), signal);
}
