// Wraps a BundleSigner so that every bundle it produces is verified before anyone sees it, the way
// cosign checks a fresh keyless signature against the instance's trusted root.
import type { SerializedBundle } from '@sigstore/bundle';
import { parseBundle } from '../oms/parse-bundle.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { serializeBundle } from './dsse-bundle.js';
import type { BundleSigner } from './signer.js';

/** `signer`, but every bundle it produces must pass `verifier` before it is returned. */
export function checkedSigner(signer: BundleSigner, verifier: BundleVerifier): BundleSigner {
  return {
    kind: signer.kind,
    async signStatement(statement: Buffer, payloadType: string): Promise<SerializedBundle> {
      const bundle = await signer.signStatement(statement, payloadType);
      await verifier.verify(parseBundle(serializeBundle(bundle), 'the new signature'));
      return bundle;
    },
  };
}
