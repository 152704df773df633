// Pushes one blob to a registry repository: HEAD first (skip if present), cross-repository mount,
// monolithic POST+PUT, or chunked PATCH uploads; streams from the source while hashing, restarts the
// upload from scratch on transient failures (once after a TIMEOUT) and never retries a digest mismatch.

import type { Readable } from 'node:stream';
import { isModelsealError, ModelsealError, RegistryError } from '../../errors.js';
import { sha256Digest } from '../digest.js';
import type { BlobSource, Descriptor } from '../target.js';
import { repositoryScope } from './auth-challenge.js';
import { discardBody } from './http-transport.js';
import { shortDigest, type RequestContext } from './registry-error.js';
import { header, type RegistrySession } from './registry-session.js';
import { backoffDelay, isNetworkError, isRetryableStatus, mayRetry, sleep } from './retry-policy.js';
import { DigestingTransform } from '../verifying-stream.js';

export interface UploadSettings {
  /** PATCH chunk size in bytes. */
  chunkSize: number;
  /** Blobs larger than this go up in chunks; others in one PUT. */
  chunkedThreshold: number;
}

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

function octet(extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/octet-stream', ...extra };
}

/** HEAD the blob: true when the registry has it. */
export async function blobExists(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
): Promise<boolean> {
  const res = await session.request({
    method: 'HEAD',
    url: blobPath(repository, desc.digest),
    scopes: [repositoryScope(repository, ['pull'])],
    ctx: {
      registry: session.opts.registry,
      action: `check of blob ${shortDigest(desc.digest)} in ${repository}`,
      kind: 'blob',
    },
    ok: [200, 404],
  });
  await discardBody(res);
  return res.statusCode === 200;
}

/**
 * Try to mount `desc` from `fromRepository` in the same registry. True on 201 (done, no bytes moved);
 * false when the registry opened an ordinary upload instead (that session is cancelled).
 */
export async function mountBlob(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
  fromRepository: string,
): Promise<boolean> {
  const url = session.resolveUrl(`/v2/${repository}/blobs/uploads/`);
  url.searchParams.set('mount', desc.digest);
  url.searchParams.set('from', fromRepository);
  const res = await session.request({
    method: 'POST',
    url,
    scopes: [repositoryScope(repository, ['pull', 'push']), repositoryScope(fromRepository, ['pull'])],
    ctx: {
      registry: session.opts.registry,
      action: `mount of blob ${shortDigest(desc.digest)} from ${fromRepository} to ${repository}`,
      kind: 'blob',
    },
    ok: [201, 202],
  });
  await discardBody(res);
  if (res.statusCode === 201) return true;
  const location = header(res, 'location');
  if (location)
    await cancelUpload(session, repository, session.resolveUrl(new URL(location, url).toString()));
  return false;
}

async function cancelUpload(session: RegistrySession, repository: string, location: URL): Promise<void> {
  try {
    const res = await session.request({
      method: 'DELETE',
      url: location,
      scopes: [repositoryScope(repository, ['pull', 'push'])],
      ctx: { registry: session.opts.registry, action: `cancel of an upload to ${repository}` },
      ok: [200, 202, 204, 404],
    });
    await discardBody(res);
  } catch {
    // best effort: the registry purges abandoned sessions
  }
}

/** 401s on a streamed body: the challenge was learned, one fresh attempt with the new token may pass. */
const streamedAuthFailures = new WeakSet<object>();

function isTransient(err: unknown): boolean {
  if (err instanceof RegistryError) {
    const status = err.status ?? 0;
    if (status === 0) return isNetworkError(err.cause) || err.cause === undefined;
    // 416 / BLOB_UPLOAD_UNKNOWN: the session lost track of our offset (a chunk died midway) -> start over.
    return isRetryableStatus(status) || status === 416 || err.registryCode === 'BLOB_UPLOAD_UNKNOWN';
  }
  if (isModelsealError(err)) return false;
  return isNetworkError(err);
}

/** Push a blob unless present; restarts from scratch on transient failures (bounded). */
export async function uploadBlob(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
  source: BlobSource,
  settings: UploadSettings,
): Promise<UploadOutcome> {
  if (source.kind === 'bytes') {
    const actual = sha256Digest(source.bytes);
    if (actual !== desc.digest || source.bytes.length !== desc.size) {
      throw new ModelsealError(
        'DIGEST_MISMATCH',
        `blob ${desc.digest} does not match its descriptor: content hashes to ${actual} (${source.bytes.length} bytes, expected ${desc.size})`,
      );
    }
  }
  if (await blobExists(session, repository, desc)) return 'exists';
  const policy = session.opts.retry;
  let authRetried = false;
  let timedOut = false;
  const startedAt = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await uploadOnce(session, repository, desc, source, settings);
      return 'uploaded';
    } catch (err) {
      if (err instanceof Error && streamedAuthFailures.has(err) && !authRetried) {
        authRetried = true;
        continue;
      }
      // A registry that stalled or crawled gets one fresh upload; a second time it is the TIMEOUT.
      const stalled = isModelsealError(err) && err.code === 'TIMEOUT';
      if (!isTransient(err) || !mayRetry(policy, attempt, startedAt) || (stalled && timedOut)) throw err;
      timedOut ||= stalled;
      session.retries++;
      await sleep(backoffDelay(policy, attempt));
    }
  }
}

async function startUpload(
  session: RegistrySession,
  repository: string,
  ctx: RequestContext,
): Promise<{ location: URL; minChunk: number }> {
  const res = await session.request({
    method: 'POST',
    url: `/v2/${repository}/blobs/uploads/`,
    scopes: [repositoryScope(repository, ['pull', 'push'])],
    ctx,
    ok: [202],
  });
  await discardBody(res);
  const location = header(res, 'location');
  if (!location)
    throw new RegistryError(
      'REGISTRY',
      `registry ${ctx.registry} gave no upload location during ${ctx.action}`,
    );
  const minChunk = Number(header(res, 'oci-chunk-min-length') ?? 0);
  return {
    location: new URL(location, session.resolveUrl('/')),
    minChunk: Number.isFinite(minChunk) ? minChunk : 0,
  };
}

async function uploadOnce(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
  source: BlobSource,
  settings: UploadSettings,
): Promise<void> {
  const ctx: RequestContext = {
    registry: session.opts.registry,
    action: `push of blob ${shortDigest(desc.digest)} to ${repository}`,
    kind: 'blob',
  };
  const { location, minChunk } = await startUpload(session, repository, ctx);
  const chunked = desc.size > settings.chunkedThreshold && source.kind === 'stream';
  try {
    if (!chunked) await putMonolithic(session, repository, desc, source, location, ctx);
    else
      await putChunked(
        session,
        repository,
        desc,
        source,
        location,
        Math.max(settings.chunkSize, minChunk),
        ctx,
      );
  } catch (err) {
    await cancelUpload(session, repository, location);
    throw err;
  }
}

async function putMonolithic(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
  source: BlobSource,
  location: URL,
  ctx: RequestContext,
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', desc.digest);
  let body: Buffer | Readable;
  let check: DigestingTransform | undefined;
  if (source.kind === 'bytes')
    body = Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
  else {
    check = new DigestingTransform(desc);
    const input = source.open();
    input.on('error', (e) => check!.destroy(e));
    check.once('close', () => input.destroy());
    body = input.pipe(check);
  }
  try {
    const res = await session.request({
      method: 'PUT',
      url,
      headers: octet({ 'content-length': String(desc.size) }),
      body,
      scopes: [repositoryScope(repository, ['pull', 'push'])],
      ctx,
      ok: [201, 204],
    });
    await discardBody(res);
  } catch (err) {
    // Our own digest check wins over whatever the transport or registry said about the same bytes.
    if (check?.failure) throw check.failure;
    if (check && err instanceof RegistryError && err.status === 401) streamedAuthFailures.add(err);
    throw err;
  }
}

async function* chunksOf(stream: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let length = 0;
  for await (const piece of stream) {
    let buf = piece;
    while (buf.length > 0) {
      const take = Math.min(size - length, buf.length);
      parts.push(buf.subarray(0, take));
      length += take;
      buf = buf.subarray(take);
      if (length === size) {
        yield Buffer.concat(parts, length);
        parts = [];
        length = 0;
      }
    }
  }
  if (length > 0) yield Buffer.concat(parts, length);
}

async function putChunked(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
  source: { kind: 'stream'; open: () => Readable },
  start: URL,
  chunkSize: number,
  ctx: RequestContext,
): Promise<void> {
  const scopes = [repositoryScope(repository, ['pull', 'push'])];
  const check = new DigestingTransform(desc);
  const input = source.open();
  input.on('error', (e) => check.destroy(e));
  check.once('close', () => input.destroy());
  let location = start;
  let offset = 0;
  let pending: Buffer | undefined;
  const patch = async (chunk: Buffer): Promise<void> => {
    const res = await session.request({
      method: 'PATCH',
      url: location,
      headers: octet({ 'content-range': `${offset}-${offset + chunk.length - 1}` }),
      body: chunk,
      scopes,
      ctx,
      ok: [202],
    });
    await discardBody(res);
    const next = header(res, 'location');
    if (next) location = new URL(next, location);
    offset += chunk.length;
  };
  for await (const chunk of chunksOf(input.pipe(check), chunkSize)) {
    if (pending) await patch(pending);
    pending = chunk;
  }
  // The stream ended without a digest error: the bytes are the descriptor's. Close with the last chunk.
  const url = new URL(location);
  url.searchParams.set('digest', desc.digest);
  const last = pending ?? Buffer.alloc(0);
  const res = await session.request({
    method: 'PUT',
    url,
    headers: last.length ? octet({ 'content-range': `${offset}-${offset + last.length - 1}` }) : octet(),
    body: last,
    scopes,
    ctx,
    ok: [201, 204],
  });
  await discardBody(res);
}
