// Streams a blob from a registry. A connection dropped mid-body is resumed with a Range request
// (or by skipping already-delivered bytes when the registry ignores Range); bounded retries.

import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { isModelsealError, ModelsealError } from '../../errors.js';
import type { Descriptor } from '../target.js';
import { repositoryScope } from './auth-challenge.js';
import { TransportTimeoutError } from './http-transport.js';
import { networkError, shortDigest, type RequestContext } from './registry-error.js';
import { header, type RegistrySession } from './registry-session.js';
import { backoffDelay, isNetworkError, mayRetry, sleep } from './retry-policy.js';

async function getBlob(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
  ctx: RequestContext,
  from: number,
): Promise<IncomingMessage> {
  return session.request({
    method: 'GET',
    url: `/v2/${repository}/blobs/${desc.digest}`,
    headers: from > 0 ? { range: `bytes=${from}-` } : {},
    scopes: [repositoryScope(repository, ['pull'])],
    ctx,
    ok: from > 0 ? [200, 206] : [200],
    streamsAnswer: true,
  });
}

/** Open a blob as a stream (size-bounded, not digest-checked: pipe it through `verifyingStream`). */
export async function openBlobStream(
  session: RegistrySession,
  repository: string,
  desc: Descriptor,
): Promise<Readable> {
  const ctx: RequestContext = {
    registry: session.opts.registry,
    action: `pull of blob ${shortDigest(desc.digest)} from ${repository}`,
    kind: 'blob',
  };
  const first = await getBlob(session, repository, desc, ctx, 0);
  const policy = session.opts.retry;
  let res = first;
  let released = false;

  async function* body(): AsyncGenerator<Buffer> {
    let received = 0;
    let skip = 0;
    let attempt = 0;
    let timedOut = false;
    const startedAt = Date.now();
    try {
      for (;;) {
        try {
          for await (const piece of res as AsyncIterable<Buffer>) {
            let chunk = piece;
            if (skip > 0) {
              const drop = Math.min(skip, chunk.length);
              skip -= drop;
              chunk = chunk.subarray(drop);
              if (chunk.length === 0) continue;
            }
            received += chunk.length;
            if (received > desc.size) {
              throw new ModelsealError(
                'DIGEST_MISMATCH',
                `blob ${desc.digest} from ${session.opts.registry}/${repository} is longer than its descriptor's ${desc.size} bytes`,
              );
            }
            yield chunk;
          }
          return;
        } catch (err) {
          res.destroy();
          if (isModelsealError(err) || released) throw err;
          if (session.opts.signal?.aborted) throw session.opts.signal.reason;
          // A body that stalled or crawled is resumed once; a second time it is a TIMEOUT.
          const stalled = err instanceof TransportTimeoutError;
          if (!isNetworkError(err) || !mayRetry(policy, attempt, startedAt) || (stalled && timedOut))
            throw networkError(err, ctx, attempt + 1);
          timedOut ||= stalled;
          await sleep(backoffDelay(policy, attempt), session.opts.signal);
          attempt++;
          session.retries++;
          res = await getBlob(session, repository, desc, ctx, received);
          if (res.statusCode === 206) {
            const start = /^bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1];
            if (Number(start) !== received) {
              res.destroy();
              throw new ModelsealError(
                'DIGEST_MISMATCH',
                `registry ${session.opts.registry} resumed blob ${desc.digest} at the wrong offset`,
              );
            }
          } else {
            skip = received;
          }
        }
      }
    } finally {
      if (!res.complete) res.destroy();
    }
  }
  const stream = Readable.from(body(), { objectMode: false });
  // Destroying the stream (an abort, a failed consumer) must release the connection now: the
  // generator only finishes once its pending read returns, which a stalled server never does.
  const destroy = stream.destroy.bind(stream);
  stream.destroy = (error?: Error): Readable => {
    released = true;
    if (!res.complete) res.destroy();
    return destroy(error);
  };
  return stream;
}
