// An in-memory Target for unit tests (not exported from the package): blobs and manifests in a Map,
// checked against their digest on push like every real target, tags, referrers by `subject`, and a log
// of the operations so tests can assert what a copy did and did not transfer.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import { parseManifest, referrerDescriptor } from './manifest.js';
import { limitReferrers } from './referrer-limit.js';
import { MANIFEST_MEDIA_TYPES, type BlobSource, type Descriptor, type Target } from './target.js';
import { VerifyingTap } from './verifying-stream.js';

export class MemoryTarget implements Target {
  readonly blobs = new Map<string, { desc: Descriptor; bytes: Buffer }>();
  readonly tags = new Map<string, Descriptor>();
  /** `fetch <digest>`, `push <digest>`, `tag <name>` in call order */
  readonly log: string[] = [];

  constructor(readonly location = 'memory:test') {}

  resolve(reference: string): Promise<Descriptor> {
    const found = isSha256Digest(reference) ? this.blobs.get(reference)?.desc : this.tags.get(reference);
    if (!found || !MANIFEST_MEDIA_TYPES.includes(found.mediaType))
      return Promise.reject(new ModelsealError('NOT_FOUND', `${reference} not found in ${this.location}`));
    return Promise.resolve({ mediaType: found.mediaType, digest: found.digest, size: found.size });
  }

  fetch(desc: Descriptor): Promise<Readable> {
    this.log.push(`fetch ${desc.digest}`);
    const blob = this.blobs.get(desc.digest);
    if (!blob)
      return Promise.reject(new ModelsealError('NOT_FOUND', `${desc.digest} not in ${this.location}`));
    return Promise.resolve(Readable.from([blob.bytes]));
  }

  exists(desc: Descriptor): Promise<boolean> {
    return Promise.resolve(this.blobs.get(desc.digest)?.desc.size === desc.size);
  }

  async push(desc: Descriptor, content: BlobSource): Promise<void> {
    this.log.push(`push ${desc.digest}`);
    const source = content.kind === 'bytes' ? Readable.from([Buffer.from(content.bytes)]) : content.open();
    const chunks: Buffer[] = [];
    await pipeline(
      source,
      new VerifyingTap(desc, `push to ${this.location}`),
      async (s: AsyncIterable<Buffer>) => {
        for await (const c of s) chunks.push(c);
      },
    );
    this.blobs.set(desc.digest, { desc, bytes: Buffer.concat(chunks) });
  }

  tag(desc: Descriptor, tag: string): Promise<void> {
    this.log.push(`tag ${tag}`);
    if (!this.blobs.has(desc.digest))
      return Promise.reject(new ModelsealError('NOT_FOUND', `cannot tag missing ${desc.digest}`));
    this.tags.set(tag, this.blobs.get(desc.digest)!.desc);
    return Promise.resolve();
  }

  referrers(subject: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    const found: Descriptor[] = [];
    for (const { desc, bytes } of this.blobs.values()) {
      if (!MANIFEST_MEDIA_TYPES.includes(desc.mediaType)) continue;
      const parsed = parseManifest(bytes, desc.mediaType, this.location);
      const doc = parsed.kind === 'index' ? parsed.index : parsed.manifest;
      if (doc.subject?.digest !== subject.digest) continue;
      const entry = referrerDescriptor(desc, doc);
      if (artifactType === undefined || entry.artifactType === artifactType) found.push(entry);
    }
    return Promise.resolve(limitReferrers(found, { subject: subject.digest, location: this.location }));
  }
}
