// OCI referrers for a registry repository: the native `GET /v2/<name>/referrers/<digest>` API when
// the registry has it (detected and cached per repository), else the `sha256-<hex>` fallback tag index,
// which we update under an in-process lock with read-your-write checks (registries ignore If-Match).

import { isModelsealError, RegistryError } from '../../errors.js';
import { sha256Digest } from '../digest.js';
import { KeyedLock } from '../keyed-lock.js';
import { MAX_MANIFEST_BYTES, MediaTypes, type Descriptor } from '../target.js';
import { repositoryScope } from './auth-challenge.js';
import { readBody, TransportTimeoutError } from './http-transport.js';
import { networkError, parseErrorBody, shortDigest, type RequestContext } from './registry-error.js';
import { header, type RegistrySession } from './registry-session.js';
import { getManifest, putManifest } from './manifest-io.js';

/** The most bytes of referrers listing read for one subject: all pages of the API together, or the fallback index. */
export const MAX_LISTING_BYTES = MAX_MANIFEST_BYTES;

function listingTooLarge(session: RegistrySession, repository: string, subjectDigest: string): RegistryError {
  return new RegistryError(
    'MANIFEST_TOO_LARGE',
    `the referrers of ${subjectDigest} in ${session.opts.registry}/${repository} take more than ${MAX_LISTING_BYTES} bytes to list; not reading them`,
  );
}

/** A digest no manifest has: probing the referrers API with it tells support without side effects. */
export const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

interface ImageIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
  [key: string]: unknown;
}

/** The fallback tag of a subject: `<alg>-<hex>` (algorithm cut to 32, hex to 64 characters). */
function fallbackTag(digest: string): string {
  const [alg = '', hex = ''] = digest.split(':');
  return `${alg.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9._-]/g, '-');
}

function asIndex(bytes: Buffer): ImageIndex | undefined {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as Partial<ImageIndex>;
    if (json && json.mediaType === MediaTypes.ociIndex && Array.isArray(json.manifests))
      return json as ImageIndex;
  } catch {
    // not an index
  }
  return undefined;
}

function filter(list: Descriptor[], artifactType: string | undefined): Descriptor[] {
  const valid = list.filter((d) => d && typeof d.digest === 'string' && typeof d.mediaType === 'string');
  return artifactType ? valid.filter((d) => d.artifactType === artifactType) : valid;
}

/**
 * Ask the native referrers API. Returns the list, or 'unsupported' (404 not naming the repository,
 * other non-index answers and errors), or 'no-repository' (404 NAME_UNKNOWN: nothing to learn).
 */
export async function nativeReferrers(
  session: RegistrySession,
  repository: string,
  subjectDigest: string,
  artifactType?: string,
): Promise<Descriptor[] | 'unsupported' | 'no-repository'> {
  const ctx: RequestContext = {
    registry: session.opts.registry,
    action: `listing of referrers of ${shortDigest(subjectDigest)} in ${repository}`,
  };
  let url = session.resolveUrl(`/v2/${repository}/referrers/${subjectDigest}`);
  if (artifactType) url.searchParams.set('artifactType', artifactType);
  const all: Descriptor[] = [];
  let budget = MAX_LISTING_BYTES; // all pages together
  for (let page = 0; page < 100; page++) {
    let res;
    try {
      res = await session.request({
        method: 'GET',
        url,
        headers: { accept: MediaTypes.ociIndex },
        scopes: [repositoryScope(repository, ['pull'])],
        ctx,
        ok: [200, 400, 404, 405, 406],
      });
    } catch (e) {
      // Auth failures, timeouts and aborts are not "no referrers API": they end the listing.
      if (!isModelsealError(e) || e.code === 'REGISTRY_AUTH' || e.code === 'TIMEOUT') throw e;
      return 'unsupported';
    }
    const declared = Number(header(res, 'content-length') ?? '0');
    if (res.statusCode === 200 && declared > budget) {
      res.destroy();
      throw listingTooLarge(session, repository, subjectDigest);
    }
    let body: Buffer;
    try {
      body = await readBody(res, budget);
    } catch (e) {
      if ((e as { code?: string }).code === 'BODY_TOO_LARGE' && res.statusCode === 200)
        throw listingTooLarge(session, repository, subjectDigest);
      if (e instanceof TransportTimeoutError) throw networkError(e, ctx);
      if (session.opts.signal?.aborted) throw session.opts.signal.reason;
      return 'unsupported';
    }
    const contentType = (header(res, 'content-type') ?? '').split(';')[0].trim();
    if (res.statusCode === 404) {
      const parsed = parseErrorBody(body, contentType);
      return parsed.code === 'NAME_UNKNOWN' ? 'no-repository' : 'unsupported';
    }
    if (res.statusCode !== 200 || contentType !== MediaTypes.ociIndex) return 'unsupported';
    const index = asIndex(body);
    if (!index) return 'unsupported';
    budget -= body.length;
    all.push(...index.manifests);
    const link = header(res, 'link');
    const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
    if (!next) break;
    url = new URL(next, url);
  }
  return filter(all, artifactType);
}

/** Referrers listed in the fallback tag index; anything but a valid index means none. */
export async function fallbackReferrers(
  session: RegistrySession,
  repository: string,
  subjectDigest: string,
  artifactType?: string,
): Promise<Descriptor[]> {
  const fetched = await getManifest(session, repository, fallbackTag(subjectDigest), { allowMissing: true });
  if (!fetched) return [];
  const index = asIndex(fetched.bytes);
  return index ? filter(index.manifests, artifactType) : [];
}

/** Fallback-index updates per repository+subject run one at a time in this process. */
const indexLock = new KeyedLock();

/**
 * Add `entry` to the fallback index of `subjectDigest`; re-reads after writing and merges again if a
 * concurrent writer replaced the index (up to `attempts` times).
 */
export async function addToFallbackIndex(
  session: RegistrySession,
  repository: string,
  subjectDigest: string,
  entry: Descriptor,
  attempts = 5,
): Promise<void> {
  const registry = session.opts.registry;
  const tag = fallbackTag(subjectDigest);
  await indexLock.run(`${registry}/${repository}@${subjectDigest}`, async () => {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const current = await getManifest(session, repository, tag, { allowMissing: true });
      let index: ImageIndex;
      if (!current) index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
      else {
        const parsed = asIndex(current.bytes);
        if (!parsed) {
          throw new RegistryError(
            'REGISTRY',
            `tag ${tag} in ${registry}/${repository} holds something other than a referrers index; not overwriting it`,
          );
        }
        index = parsed;
      }
      if (index.manifests.some((d) => d.digest === entry.digest)) return;
      index.manifests = [...index.manifests, entry];
      const bytes = Buffer.from(JSON.stringify(index));
      const desc: Descriptor = {
        mediaType: MediaTypes.ociIndex,
        digest: sha256Digest(bytes),
        size: bytes.length,
      };
      await putManifest(session, repository, tag, desc, bytes);
      const reread = await getManifest(session, repository, tag, { allowMissing: true });
      const after = reread ? asIndex(reread.bytes) : undefined;
      if (after?.manifests.some((d) => d.digest === entry.digest)) return;
    }
    throw new RegistryError(
      'REGISTRY',
      `referrers index ${tag} in ${registry}/${repository} kept changing under concurrent writers; referrer ${shortDigest(entry.digest)} not recorded`,
    );
  });
}
