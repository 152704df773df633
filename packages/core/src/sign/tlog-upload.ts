// Logs a key- or certificate-signed bundle in a Rekor transparency log (cosign's `--tlog-upload`):
// the DSSE envelope goes to Rekor as a `dsse` entry with the signer's public key (key mode) or leaf
// certificate (certificate mode) as verifier, through @sigstore/sign's RekorWitness (Rekor v1 or v2),
// and the entry it returns (inclusion promise and/or proof) becomes the bundle's `tlogEntries`.
import type { SerializedBundle } from '@sigstore/bundle';
import { ModelsealError } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import type { SigstoreServices } from './keyless-services.js';

const sigstoreSign = lazyModule<typeof import('@sigstore/sign')>('@sigstore/sign');
const protobufSpecs = lazyModule<typeof import('@sigstore/protobuf-specs')>('@sigstore/protobuf-specs');

/** Where to log: a Rekor base URL and its API major version (1 default, or 2). */
export interface TlogUploadOptions {
  rekorURL: string;
  /** Rekor API major version: 1 (default) or 2. */
  majorApiVersion?: number;
  /** Per-request timeout in ms (default @sigstore/sign's) and retries. */
  timeoutMs?: number;
  retries?: number;
}

/**
 * Logs `bundle`'s DSSE envelope in Rekor with `verifierPem` (the SPKI public key or the leaf
 * certificate, PEM) and returns the bundle with the entry in `verificationMaterial.tlogEntries`.
 * Throws SIGSTORE_SERVICE when Rekor refuses the entry or cannot be reached.
 */
export async function logBundle(
  bundle: SerializedBundle,
  verifierPem: string,
  opts: TlogUploadOptions,
): Promise<SerializedBundle> {
  const env = bundle.dsseEnvelope;
  if (!env) throw new ModelsealError('MALFORMED_BUNDLE', 'only DSSE bundles can be logged');
  const witness = new (sigstoreSign().RekorWitness)({
    rekorBaseURL: opts.rekorURL,
    majorApiVersion: opts.majorApiVersion ?? 1,
    fetchOnConflict: true,
    timeout: opts.timeoutMs,
    retry: opts.retries,
  });
  let entries;
  try {
    ({ tlogEntries: entries } = await witness.testify(
      {
        $case: 'dsseEnvelope',
        dsseEnvelope: {
          payload: Buffer.from(env.payload, 'base64'),
          payloadType: env.payloadType,
          signatures: env.signatures.map((s) => ({ sig: Buffer.from(s.sig, 'base64'), keyid: s.keyid })),
        },
      },
      verifierPem,
    ));
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const detail = [(e as Error).message, cause instanceof Error ? cause.message : undefined]
      .filter(Boolean)
      .join(': ');
    throw new ModelsealError(
      'SIGSTORE_SERVICE',
      `Rekor at ${opts.rekorURL} did not log the signature: ${detail}`,
      {
        cause: e,
      },
    );
  }
  const { TransparencyLogEntry } = protobufSpecs();
  const vm = bundle.verificationMaterial as unknown as Record<string, unknown>;
  return {
    ...bundle,
    verificationMaterial: {
      ...vm,
      tlogEntries: entries.map((entry) => TransparencyLogEntry.toJSON(entry)),
    },
  } as unknown as SerializedBundle;
}

/**
 * The Rekor of a Sigstore instance (e.g. from loadSigningConfig, or PUBLIC_GOOD_SERVICES) as upload
 * options, as cosign picks the log of its signing config. Throws USAGE when the instance has no
 * Rekor (e.g. GitHub's private one); `source` names the instance in that message.
 */
export function tlogOfServices(services: SigstoreServices, source: string): TlogUploadOptions {
  if (!services.rekorURL)
    throw new ModelsealError('USAGE', `${source} has no Rekor transparency log to upload the signature to`);
  return { rekorURL: services.rekorURL, majorApiVersion: services.rekorMajorApiVersion ?? 1 };
}
