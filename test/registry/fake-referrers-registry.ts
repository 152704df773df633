// A tiny in-memory OCI registry on a real socket that implements the native referrers API
// (`GET /v2/<name>/referrers/<digest>`, `OCI-Subject`, artifactType filter, Link pagination),
// plus just enough blob/manifest API for tests. distribution 2.8 has no referrers API.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReferrersRegistryOptions {
  /** Send `OCI-Subject` on manifest PUTs with a subject (default true). */
  sendOciSubject?: boolean;
  /** Referrers per page; more pages are linked with `Link: <...>; rel="next"` (default: all). */
  pageSize?: number;
  /** Announce `OCI-Chunk-Min-Length` on upload POSTs. */
  chunkMinLength?: number;
}

export interface FakeReferrersRegistry {
  host: string;
  /** Every request seen: "METHOD /path?query". */
  requests: string[];
  /** Stored manifests by repository and reference (tag or digest). */
  manifestRefs(repository: string): string[];
  close(): Promise<void>;
}

interface StoredManifest {
  mediaType: string;
  bytes: Buffer;
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

export async function startFakeReferrersRegistry(
  opts: FakeReferrersRegistryOptions = {},
): Promise<FakeReferrersRegistry> {
  const blobs = new Map<string, Buffer>(); // digest -> bytes (shared across repositories)
  const manifests = new Map<string, Map<string, StoredManifest>>(); // repo -> ref -> manifest
  const uploads = new Map<string, Buffer[]>();
  const requests: string[] = [];
  let nextUpload = 0;

  const repoManifests = (repo: string): Map<string, StoredManifest> => {
    let m = manifests.get(repo);
    if (!m) manifests.set(repo, (m = new Map()));
    return m;
  };

  const referrersOf = (repo: string, subject: string): Array<Record<string, unknown>> => {
    const seen = new Set<string>();
    const out: Array<Record<string, unknown>> = [];
    for (const [, m] of repoManifests(repo)) {
      const digest = sha256(m.bytes);
      if (seen.has(digest)) continue;
      seen.add(digest);
      const json = JSON.parse(m.bytes.toString('utf8')) as {
        subject?: { digest?: string };
        artifactType?: string;
        config?: { mediaType?: string };
        annotations?: Record<string, string>;
      };
      if (json.subject?.digest !== subject) continue;
      const entry: Record<string, unknown> = { mediaType: m.mediaType, digest, size: m.bytes.length };
      const artifactType = json.artifactType ?? json.config?.mediaType;
      if (artifactType) entry.artifactType = artifactType;
      if (json.annotations) entry.annotations = json.annotations;
      out.push(entry);
    }
    return out.sort((a, b) => String(a.digest).localeCompare(String(b.digest)));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)) && method === 'GET') {
      const [, repo, subject] = m as unknown as [string, string, string];
      const filter = url.searchParams.get('artifactType');
      let list = referrersOf(repo, subject);
      const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
      if (filter) {
        list = list.filter((d) => d.artifactType === filter);
        headers['oci-filters-applied'] = 'artifactType';
      }
      const start = Number(url.searchParams.get('start') ?? 0);
      const size = opts.pageSize ?? list.length;
      const page = list.slice(start, start + size);
      if (start + size < list.length) {
        const next = new URL(url.pathname, 'http://fake');
        if (filter) next.searchParams.set('artifactType', filter);
        next.searchParams.set('start', String(start + size));
        headers.link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      res.writeHead(200, headers);
      res.end(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: page,
        }),
      );
      return;
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(url.pathname)) && method === 'POST') {
      const id = String(nextUpload++);
      uploads.set(id, []);
      const headers: Record<string, string> = { location: `/v2/${m[1]}/blobs/uploads/${id}`, range: '0-0' };
      if (opts.chunkMinLength) headers['oci-chunk-min-length'] = String(opts.chunkMinLength);
      res.writeHead(202, headers).end();
      return;
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/(\d+)$/.exec(url.pathname))) {
      const id = m[2];
      const parts = uploads.get(id);
      if (!parts) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
      const body = await readAll(req);
      parts.push(body);
      if (method === 'PATCH') {
        res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${id}` }).end();
        return;
      }
      if (method === 'PUT') {
        const all = Buffer.concat(parts);
        const digest = url.searchParams.get('digest');
        if (digest !== sha256(all)) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        blobs.set(digest, all);
        uploads.delete(id);
        res
          .writeHead(201, { location: `/v2/${m[1]}/blobs/${digest}`, 'docker-content-digest': digest })
          .end();
        return;
      }
      if (method === 'DELETE') {
        uploads.delete(id);
        res.writeHead(204).end();
        return;
      }
    }
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname))) {
      const blob = blobs.get(m[2]);
      if (!blob) {
        if (method === 'HEAD') res.writeHead(404).end();
        else error(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
        return;
      }
      res.writeHead(200, { 'content-length': String(blob.length), 'docker-content-digest': m[2] });
      res.end(method === 'HEAD' ? undefined : blob);
      return;
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname))) {
      const [, repo, ref] = m as unknown as [string, string, string];
      const store = repoManifests(repo);
      if (method === 'PUT') {
        const bytes = await readAll(req);
        const mediaType = req.headers['content-type'] ?? '';
        const digest = sha256(bytes);
        if (ref.startsWith('sha256:') && ref !== digest)
          return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        store.set(ref, { mediaType, bytes });
        store.set(digest, { mediaType, bytes });
        const headers: Record<string, string> = {
          location: `/v2/${repo}/manifests/${digest}`,
          'docker-content-digest': digest,
        };
        const subject = (JSON.parse(bytes.toString('utf8')) as { subject?: { digest?: string } }).subject
          ?.digest;
        if (subject && opts.sendOciSubject !== false) headers['oci-subject'] = subject;
        res.writeHead(201, headers).end();
        return;
      }
      const stored = store.get(ref);
      if (!stored) {
        if (method === 'HEAD') res.writeHead(404).end();
        else error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        return;
      }
      res.writeHead(200, {
        'content-type': stored.mediaType,
        'content-length': String(stored.bytes.length),
        'docker-content-digest': sha256(stored.bytes),
      });
      res.end(method === 'HEAD' ? undefined : stored.bytes);
      return;
    }
    error(res, 404, 'NOT_FOUND', 'no route');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    manifestRefs: (repository) => [...repoManifests(repository).keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
