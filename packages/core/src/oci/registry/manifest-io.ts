// Reads and writes manifests with their exact bytes: full Accept list, 4 MiB bound (checked on
// Content-Length and while reading), digest computed from the bytes, verified when fetched by digest.

import { ModelsealError, RegistryError } from '../../errors.js';
import { sha256Digest } from '../digest.js';
import { MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES, type Descriptor } from '../target.js';
import { repositoryScope } from './auth-challenge.js';
import { discardBody, readBody, TransportTimeoutError } from './http-transport.js';
import { networkError, shortDigest, type RequestContext } from './registry-error.js';
import { header, type RegistrySession } from './registry-session.js';

const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export function isDigest(reference: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(reference) && reference.includes(':');
}

function describe(reference: string): string {
  return isDigest(reference) ? shortDigest(reference) : reference;
}

function tooLarge(registry: string, repository: string, reference: string, size: string): ModelsealError {
  return new ModelsealError(
    'MANIFEST_TOO_LARGE',
    `manifest ${describe(reference)} in ${registry}/${repository} is ${size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
  );
}

export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

/** GET a manifest by tag or digest; NOT_FOUND on 404 (unless `allowMissing`, which returns undefined). */
export async function getManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  opts: { allowMissing?: boolean } = {},
): Promise<FetchedManifest | undefined> {
  const registry = session.opts.registry;
  const ctx: RequestContext = {
    registry,
    action: `pull of manifest ${describe(reference)} from ${repository}`,
    kind: 'manifest',
  };
  const res = await session.request({
    method: 'GET',
    url: `/v2/${repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(repository, ['pull'])],
    ctx,
    ok: opts.allowMissing ? [200, 404] : [200],
  });
  if (res.statusCode === 404) {
    await discardBody(res);
    return undefined;
  }
  const declared = header(res, 'content-length');
  if (declared !== undefined && Number(declared) > MAX_MANIFEST_BYTES) {
    res.destroy();
    throw tooLarge(registry, repository, reference, declared);
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(res, MAX_MANIFEST_BYTES);
  } catch (e) {
    if ((e as { code?: string }).code === 'BODY_TOO_LARGE')
      throw tooLarge(registry, repository, reference, `more than ${MAX_MANIFEST_BYTES}`);
    if (e instanceof TransportTimeoutError) throw networkError(e, ctx);
    if (session.opts.signal?.aborted) throw session.opts.signal.reason;
    throw new RegistryError(
      'REGISTRY',
      `registry ${registry} broke off ${ctx.action}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && digest !== reference) {
    throw new ModelsealError(
      'DIGEST_MISMATCH',
      `manifest ${reference} from ${registry}/${repository} hashes to ${digest}`,
    );
  }
  const contentType = (header(res, 'content-type') ?? '').split(';')[0].trim();
  let parsed: { mediaType?: unknown; artifactType?: unknown } = {};
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    throw new RegistryError(
      'REGISTRY',
      `manifest ${describe(reference)} from ${registry}/${repository} is not valid JSON`,
    );
  }
  const bodyType = typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined;
  if (bodyType && contentType && MANIFEST_MEDIA_TYPES.includes(contentType) && bodyType !== contentType) {
    throw new RegistryError(
      'REGISTRY',
      `manifest ${describe(reference)} from ${registry}/${repository} says mediaType ${bodyType} but was served as ${contentType}`,
    );
  }
  const mediaType = bodyType ?? contentType;
  if (!mediaType)
    throw new RegistryError(
      'REGISTRY',
      `manifest ${describe(reference)} from ${registry}/${repository} has no media type`,
    );
  const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
  if (typeof parsed.artifactType === 'string') descriptor.artifactType = parsed.artifactType;
  return { descriptor, bytes };
}

/** PUT manifest bytes under a tag or digest; returns the `OCI-Subject` header if the registry sent one. */
export async function putManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  desc: Descriptor,
  bytes: Buffer,
): Promise<{ ociSubject?: string }> {
  const registry = session.opts.registry;
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw tooLarge(registry, repository, reference, String(bytes.length));
  const digest = sha256Digest(bytes);
  if (digest !== desc.digest || bytes.length !== desc.size) {
    throw new ModelsealError(
      'DIGEST_MISMATCH',
      `manifest ${desc.digest} does not match its descriptor: content hashes to ${digest} (${bytes.length} bytes)`,
    );
  }
  const ctx: RequestContext = {
    registry,
    action: `push of manifest ${describe(reference === desc.digest ? desc.digest : reference)} to ${repository}`,
    kind: 'other',
  };
  const res = await session.request({
    method: 'PUT',
    url: `/v2/${repository}/manifests/${reference}`,
    headers: { 'content-type': desc.mediaType },
    body: bytes,
    scopes: [repositoryScope(repository, ['pull', 'push'])],
    ctx,
    ok: [200, 201, 202],
  });
  await discardBody(res);
  const echoed = header(res, 'docker-content-digest');
  if (echoed && echoed !== digest) {
    throw new RegistryError(
      'REGISTRY',
      `registry ${registry} stored manifest ${shortDigest(digest)} in ${repository} as ${echoed}`,
    );
  }
  return { ociSubject: header(res, 'oci-subject') };
}

/** HEAD a manifest by digest: true when present. */
export async function manifestExists(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
): Promise<boolean> {
  const res = await session.request({
    method: 'HEAD',
    url: `/v2/${repository}/manifests/${desc.digest}`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(repository, ['pull'])],
    ctx: {
      registry: session.opts.registry,
      action: `check of manifest ${shortDigest(desc.digest)} in ${repository}`,
      kind: 'manifest',
    },
    ok: [200, 404],
  });
  await discardBody(res);
  return res.statusCode === 200;
}
