// Fetch a manifest's bytes from any ReadOnlyTarget, bounded to MAX_MANIFEST_BYTES and checked against
// its descriptor (size and sha256) while reading: what copy, pull and inspect parse.
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../errors.js';
import { MAX_MANIFEST_BYTES, type Descriptor, type ReadOnlyTarget } from './target.js';
import { VerifyingTap } from './verifying-stream.js';

/**
 * The exact bytes of manifest `desc` from `target`. Throws MANIFEST_TOO_LARGE (before reading) when
 * the descriptor declares more than 4 MiB, DIGEST_MISMATCH when the bytes are not what it promised.
 */
export async function fetchVerifiedManifest(target: ReadOnlyTarget, desc: Descriptor): Promise<Buffer> {
  if (desc.size > MAX_MANIFEST_BYTES) {
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `manifest ${desc.digest} in ${target.location} is ${desc.size} bytes (limit ${MAX_MANIFEST_BYTES})`,
    );
  }
  const chunks: Buffer[] = [];
  await pipeline(
    await target.fetch(desc),
    new VerifyingTap(desc, `manifest ${desc.digest} from ${target.location}`),
    async (verified: AsyncIterable<Buffer>) => {
      for await (const chunk of verified) chunks.push(chunk);
    },
  );
  return Buffer.concat(chunks);
}
