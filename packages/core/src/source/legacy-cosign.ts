// Signatures written by cosign before bundles (specs/SIGNATURE_SPEC.md): tag `sha256-<hex>.sig`, one
// `application/vnd.dev.cosign.simplesigning.v1+json` layer per signature whose payload names the image
// digest (`critical.image.docker-manifest-digest`, any case) and whose annotation
// `dev.cosignproject.cosign/signature` is the base64 signature over the payload bytes. Key mode only.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { signingAlgorithm } from '../keys/signing-algorithm.js';
import { parseManifest } from '../oci/manifest.js';
import { fetchVerifiedManifest } from '../oci/manifest-fetch.js';
import type { Descriptor, ReadOnlyTarget } from '../oci/target.js';
import { VerifyingTap } from '../oci/verifying-stream.js';

/** Media type of cosign's legacy simple-signing payload layer (in `sha256-<hex>.sig` manifests). */
export const SIMPLESIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer annotation that holds a legacy cosign signature (base64). */
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/** One legacy signature layer: where it is, its payload and base64 signature. */
export interface LegacySignature {
  source: string;
  payload: Buffer;
  signature: string;
  annotations: Record<string, string>;
}

/** The `sha256-<hex>.sig` tag of a manifest digest. */
export function legacySignatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** Reads the legacy signatures of `subject`; none when the tag does not exist. */
export async function legacySignatures(
  target: ReadOnlyTarget,
  subject: Descriptor,
): Promise<LegacySignature[]> {
  const tag = legacySignatureTag(subject.digest);
  let desc: Descriptor;
  try {
    desc = await target.resolve(tag);
  } catch (e) {
    if (e instanceof ModelsealError && e.code === 'NOT_FOUND') return [];
    throw e;
  }
  const parsed = parseManifest(
    await fetchVerifiedManifest(target, desc),
    desc.mediaType,
    `${target.location}:${tag}`,
  );
  if (parsed.kind !== 'manifest') return [];
  const out: LegacySignature[] = [];
  for (const [i, layer] of parsed.manifest.layers.entries()) {
    if (layer.mediaType !== SIMPLESIGNING_MEDIA_TYPE || layer.size > 1024 * 1024) continue;
    const chunks: Buffer[] = [];
    await pipeline(
      await target.fetch(layer),
      new VerifyingTap(layer, `signature payload ${layer.digest}`),
      async (s: AsyncIterable<Buffer>) => {
        for await (const c of s) chunks.push(c);
      },
    );
    out.push({
      source: `${tag} layer ${i}`,
      payload: Buffer.concat(chunks),
      signature: layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION] ?? '',
      annotations: layer.annotations ?? {},
    });
  }
  return out;
}

function imageDigestOf(payload: Buffer, source: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: simplesigning payload is not JSON`);
  }
  const critical = isJsonObject(doc) ? doc.critical : undefined;
  const image = isJsonObject(critical) ? critical.image : undefined;
  if (isJsonObject(image)) {
    for (const [k, v] of Object.entries(image))
      if (k.toLowerCase() === 'docker-manifest-digest' && typeof v === 'string') return v;
  }
  throw new ModelsealError(
    'MALFORMED_BUNDLE',
    `${source}: simplesigning payload names no docker-manifest-digest`,
  );
}

/**
 * Checks one legacy signature with a public key: the signature over the payload bytes, then that the
 * payload names `digest`. Throws BAD_SIGNATURE (or WRONG_KEY: the key does not verify it) and SUBJECT_MISMATCH.
 */
export function verifyLegacySignature(sig: LegacySignature, publicKey: KeyObject, digest: string): void {
  const raw = Buffer.from(sig.signature, 'base64');
  if (raw.length === 0)
    throw new ModelsealError('BAD_SIGNATURE', `${sig.source}: no ${COSIGN_SIGNATURE_ANNOTATION} annotation`);
  const alg = signingAlgorithm(publicKey);
  if (!cryptoVerify(alg.hash, sig.payload, publicKey, raw))
    throw new ModelsealError('WRONG_KEY', `${sig.source}: the signature does not verify with the given key`);
  const named = imageDigestOf(sig.payload, sig.source);
  if (named !== digest)
    throw new ModelsealError(
      'SUBJECT_MISMATCH',
      `${sig.source}: the signature is for ${named}, not ${digest}`,
    );
}
