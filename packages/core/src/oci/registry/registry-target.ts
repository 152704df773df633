// RegistryTarget: the `Target` over a remote OCI registry (distribution spec v1.1) — streaming blob
// push/pull, manifests with exact bytes, tags, cross-repository mounts and referrers (API or fallback).

import { Readable } from 'node:stream';
import { ModelsealError, RegistryError } from '../../errors.js';
import { referrerDescriptor } from '../manifest.js';
import { isLoopbackRegistry, REPOSITORY, TAG } from '../reference.js';
import {
  MANIFEST_MEDIA_TYPES,
  MAX_MANIFEST_BYTES,
  type BlobSource,
  type Descriptor,
  type Mounter,
  type ReadOnlyTarget,
  type Target,
} from '../target.js';
import { openBlobStream } from './blob-download.js';
import { blobExists, mountBlob, uploadBlob, type UploadOutcome } from './blob-upload.js';
import { defaultCredentials, type CredentialSource, type RegistryCredentials } from './credentials.js';
import { readBody, type NetworkTimeouts } from './http-transport.js';
import { getManifest, isDigest, manifestExists, putManifest } from './manifest-io.js';
import { limitReferrers } from '../referrer-limit.js';
import { addToFallbackIndex, fallbackReferrers, nativeReferrers, ZERO_DIGEST } from './referrers.js';
import { RegistrySession, type ResponseEvent } from './registry-session.js';
import { retryPolicy, type RetryOptions } from './retry-policy.js';

/** Options of RegistryTarget: credentials, plain HTTP, retries, timeouts and response hooks. */
export interface RegistryTargetOptions {
  registry: string; // host[:port]
  repository: string; // ns/model
  plainHttp?: boolean; // default: true for localhost/127.0.0.1/[::1], else false
  credentials?: RegistryCredentials | CredentialSource; // default: Docker config, then podman auth.json
  retry?: RetryOptions;
  /**
   * network limits in ms (default DEFAULT_NETWORK_TIMEOUTS: connect 30 s, headers 60 s, idle 60 s,
   * 60 s per manifest/token/referrers operation across its retries, blob bodies at least 10 KiB/s
   * over 30 s)
   */
  timeouts?: Partial<NetworkTimeouts>;
  /** aborts every request of this target at once: sockets destroyed, retries and backoff stopped */
  signal?: AbortSignal;
  chunkSize?: number; // PATCH chunk size for big blobs (default 4 MiB)
  /** Blobs above this many bytes are pushed in PATCH chunks (default 10 GiB; 0 = always chunked). */
  chunkedThreshold?: number;
  concurrency?: number;
  userAgent?: string;
  /** Called for every HTTP response (method, path, status): progress, debugging, tests. */
  onResponse?: (event: ResponseEvent) => void;
  /** distinct referrers of one subject read before TOO_MANY_REFERRERS (default DEFAULT_MAX_REFERRERS, 256) */
  maxReferrers?: number;
}

/** What a target did so far; tests and progress output read it. */
export interface RegistryTransferStats {
  blobsUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
  bytesUploaded: number;
  retries: number;
}

const HOST_RE = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(?::\d{1,5})?$/;

function isManifestType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/**
 * A Target over a registry repository (OCI distribution API): token and basic auth, retries,
 * resumable chunked uploads, cross-repository mounts, referrers API with the tag-schema fallback.
 * Failures are RegistryError (REGISTRY, REGISTRY_AUTH, NOT_FOUND).
 */
export class RegistryTarget implements Target, Mounter {
  readonly location: string;
  readonly registry: string;
  readonly repository: string;
  private readonly session: RegistrySession;
  private readonly chunkSize: number;
  private readonly chunkedThreshold: number;
  private referrersSupport?: boolean;
  private readonly maxReferrers?: number;
  private readonly counters = { blobsUploaded: 0, blobsSkipped: 0, blobsMounted: 0, bytesUploaded: 0 };

  constructor(opts: RegistryTargetOptions) {
    if (!HOST_RE.test(opts.registry))
      throw new ModelsealError('BAD_REFERENCE', `invalid registry host "${opts.registry}"`);
    if (!REPOSITORY.test(opts.repository) || opts.registry.length + 1 + opts.repository.length > 255) {
      throw new ModelsealError(
        'BAD_REFERENCE',
        `invalid repository name "${opts.repository}" (lowercase letters, digits, separators . _ - and /)`,
      );
    }
    this.registry = opts.registry;
    this.repository = opts.repository;
    this.location = `${opts.registry}/${opts.repository}`;
    this.maxReferrers = opts.maxReferrers;
    const plain = opts.plainHttp ?? isLoopbackRegistry(opts.registry);
    const apiHost = opts.registry === 'docker.io' ? 'registry-1.docker.io' : opts.registry;
    this.chunkSize = opts.chunkSize ?? 4 * 1024 * 1024;
    if (!(this.chunkSize > 0))
      throw new ModelsealError('USAGE', `chunk size must be positive, got ${opts.chunkSize}`);
    this.chunkedThreshold = opts.chunkedThreshold ?? 10 * 1024 ** 3;
    const concurrency = Math.max(1, opts.concurrency ?? 4);
    this.session = new RegistrySession({
      registry: opts.registry,
      baseUrl: `${plain ? 'http' : 'https'}://${apiHost}`,
      credentials: opts.credentials ?? ((registry: string) => defaultCredentials(registry)),
      retry: retryPolicy(opts.retry),
      timeouts: opts.timeouts,
      maxSockets: concurrency * 2 + 2,
      userAgent: opts.userAgent ?? 'modelseal/0.1',
      onResponse: opts.onResponse,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  get stats(): RegistryTransferStats {
    return { ...this.counters, retries: this.session.retries };
  }

  async resolve(reference: string): Promise<Descriptor> {
    return (await this.fetchManifest(reference)).descriptor;
  }

  async fetch(desc: Descriptor): Promise<Readable> {
    if (isManifestType(desc.mediaType)) {
      const { bytes } = await this.fetchManifest(desc);
      return Readable.from([bytes], { objectMode: false });
    }
    return openBlobStream(this.session, this.repository, desc);
  }

  /** A manifest's exact bytes and descriptor (bounded to 4 MiB, digest-checked when fetched by digest). */
  async fetchManifest(reference: string | Descriptor): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
    const ref = typeof reference === 'string' ? reference : reference.digest;
    this.checkReference(ref);
    const fetched = (await getManifest(this.session, this.repository, ref))!;
    if (typeof reference !== 'string' && fetched.bytes.length !== reference.size) {
      throw new ModelsealError(
        'DIGEST_MISMATCH',
        `manifest ${reference.digest} from ${this.location} is ${fetched.bytes.length} bytes, descriptor says ${reference.size}`,
      );
    }
    return fetched;
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return isManifestType(desc.mediaType)
      ? manifestExists(this.session, this.repository, desc)
      : blobExists(this.session, this.repository, desc);
  }

  async push(desc: Descriptor, content: BlobSource): Promise<void> {
    if (isManifestType(desc.mediaType)) {
      await this.pushManifest(desc, await manifestBytes(content, desc));
      return;
    }
    await this.pushBlob(desc, content);
  }

  /** Push a blob (skipped if present; mounted first when `mountFrom` names a repository of this registry). */
  async pushBlob(
    desc: Descriptor,
    content: BlobSource,
    opts: { mountFrom?: string } = {},
  ): Promise<UploadOutcome> {
    if (opts.mountFrom && opts.mountFrom !== this.repository && (await this.mountFrom(desc, opts.mountFrom)))
      return 'mounted';
    const outcome = await uploadBlob(this.session, this.repository, desc, content, {
      chunkSize: this.chunkSize,
      chunkedThreshold: this.chunkedThreshold,
    });
    if (outcome === 'exists') this.counters.blobsSkipped++;
    else {
      this.counters.blobsUploaded++;
      this.counters.bytesUploaded += desc.size;
    }
    return outcome;
  }

  /** `Mounter`: mount from `source` when it is another repository of this registry; else false. */
  async mount(desc: Descriptor, source: ReadOnlyTarget): Promise<boolean> {
    if (!(source instanceof RegistryTarget) || source.registry !== this.registry) return false;
    if (source.repository === this.repository || isManifestType(desc.mediaType)) return false;
    try {
      return await this.mountFrom(desc, source.repository);
    } catch {
      return false; // e.g. no pull right on the source repository with these credentials: upload instead
    }
  }

  /** Cross-repository mount within this registry; true when the registry mounted it (201). */
  async mountFrom(desc: Descriptor, fromRepository: string): Promise<boolean> {
    if (!REPOSITORY.test(fromRepository))
      throw new ModelsealError('BAD_REFERENCE', `invalid repository name "${fromRepository}"`);
    const mounted = await mountBlob(this.session, this.repository, desc, fromRepository);
    if (mounted) this.counters.blobsMounted++;
    return mounted;
  }

  /**
   * Push manifest bytes (by digest, or under `tag`). A manifest with a `subject` is recorded in the
   * subject's fallback referrers index unless the registry indexes referrers itself.
   */
  async pushManifest(desc: Descriptor, bytes: Buffer, tag?: string): Promise<void> {
    if (tag !== undefined && !TAG.test(tag))
      throw new ModelsealError('BAD_REFERENCE', `invalid tag "${tag}"`);
    const { ociSubject } = await putManifest(this.session, this.repository, tag ?? desc.digest, desc, bytes);
    let parsed: {
      subject?: { digest?: unknown };
      artifactType?: unknown;
      config?: { mediaType?: unknown };
      annotations?: unknown;
    };
    try {
      parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
    } catch {
      return;
    }
    const subject = typeof parsed.subject?.digest === 'string' ? parsed.subject.digest : undefined;
    if (!subject) return;
    if (ociSubject) {
      this.referrersSupport = true;
      return;
    }
    if (await this.supportsReferrersApi()) return;
    await addToFallbackIndex(this.session, this.repository, subject, referrerDescriptor(desc, parsed));
  }

  async tag(desc: Descriptor, tag: string): Promise<void> {
    if (!TAG.test(tag)) throw new ModelsealError('BAD_REFERENCE', `invalid tag "${tag}"`);
    const { bytes } = await this.fetchManifest(desc);
    await putManifest(this.session, this.repository, tag, { ...desc, size: bytes.length }, bytes);
  }

  /**
   * The referrers of `subject` (native API, else the fallback index), each digest once. Throws
   * TOO_MANY_REFERRERS above `maxReferrers`, MANIFEST_TOO_LARGE for a listing above 4 MiB.
   */
  async referrers(subject: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    const listed = await this.listReferrers(subject, artifactType);
    return limitReferrers(listed, { subject: subject.digest, location: this.location }, this.maxReferrers);
  }

  private async listReferrers(subject: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    if (this.referrersSupport !== false) {
      const native = await nativeReferrers(this.session, this.repository, subject.digest, artifactType);
      if (Array.isArray(native)) {
        this.referrersSupport = true;
        return native;
      }
      if (native === 'no-repository') return [];
      this.referrersSupport = false;
    }
    return fallbackReferrers(this.session, this.repository, subject.digest, artifactType);
  }

  /** Whether this repository serves the referrers API (probed once, then cached). */
  async supportsReferrersApi(): Promise<boolean> {
    if (this.referrersSupport === undefined) {
      const probe = await nativeReferrers(this.session, this.repository, ZERO_DIGEST);
      if (probe !== 'no-repository') this.referrersSupport = Array.isArray(probe);
      return Array.isArray(probe);
    }
    return this.referrersSupport;
  }

  /** Release keep-alive sockets. */
  close(): void {
    this.session.close();
  }

  private checkReference(ref: string): void {
    if (!isDigest(ref) && !TAG.test(ref))
      throw new ModelsealError('BAD_REFERENCE', `invalid tag or digest "${ref}"`);
  }
}

async function manifestBytes(content: BlobSource, desc: Descriptor): Promise<Buffer> {
  if (content.kind === 'bytes')
    return Buffer.from(content.bytes.buffer, content.bytes.byteOffset, content.bytes.byteLength);
  if (desc.size > MAX_MANIFEST_BYTES) {
    throw new ModelsealError(
      'MANIFEST_TOO_LARGE',
      `manifest ${desc.digest} is ${desc.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
    );
  }
  try {
    return await readBody(content.open(), MAX_MANIFEST_BYTES);
  } catch (e) {
    if ((e as { code?: string }).code === 'BODY_TOO_LARGE') {
      throw new ModelsealError(
        'MANIFEST_TOO_LARGE',
        `manifest ${desc.digest} is over the ${MAX_MANIFEST_BYTES}-byte limit`,
      );
    }
    throw new RegistryError(
      'REGISTRY',
      `cannot read manifest ${desc.digest} to push: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
