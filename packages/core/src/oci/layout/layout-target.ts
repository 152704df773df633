// `Target` over an OCI image layout directory (oci-layout, index.json, blobs/sha256/<hex>).
// Blobs land in a temp file inside the layout, are checked against their digest and size, then renamed
// into place; tags and referrer manifests live in index.json (referrers without a ref name, like oras).
// index.json updates are serialised within this process; concurrent writers in other processes may lose
// an index entry (never corrupt the file: it is replaced by rename).
import { constants } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../../errors.js';
import { fileSystemError, fsErrorCode } from '../../fs-error-code.js';
import { assertSha256Digest, digestHex, isSha256Digest, sha256Digest } from '../digest.js';
import { parseManifest, referrerDescriptor } from '../manifest.js';
import { limitReferrers } from '../referrer-limit.js';
import { TAG } from '../reference.js';
import {
  MANIFEST_MEDIA_TYPES,
  MAX_MANIFEST_BYTES,
  type BlobSource,
  type Descriptor,
  type Target,
} from '../target.js';
import { CoalescingWriteStream } from '../coalescing-write-stream.js';
import { VerifyingTap } from '../verifying-stream.js';
import { ownedName, removeStale } from '../stale-files.js';
import { emptyIndex, INDEX_TMP, readLayoutIndex, REF_NAME, updateLayoutIndex } from './layout-index.js';

const LAYOUT_FILE = JSON.stringify({ imageLayoutVersion: '1.0.0' });
const READ_CHUNK = 1024 * 1024;
const BLOB_TMP = '.blob-';

/**
 * Open a blob for reading only if it is a regular file: O_NONBLOCK keeps a FIFO from blocking the
 * open, and the handle's own stat refuses FIFOs, devices, sockets and directories.
 */
async function openRegularFile(file: string, what: string): Promise<FileHandle> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let regular = false;
  try {
    regular = (await handle.stat()).isFile();
  } finally {
    if (!regular) await handle.close();
  }
  if (!regular)
    throw new ModelsealError('UNREADABLE', `${what} (${file}) is not a regular file; refusing to read it`);
  return handle;
}

function isEnoent(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * A Target over an OCI image layout directory on disk: blobs are digest-checked when read and
 * written atomically; missing tags, manifests or blobs are NOT_FOUND, unreadable files UNREADABLE
 * (or the matching file code).
 */
export class LayoutTarget implements Target {
  readonly location: string;
  private ready?: Promise<void>;

  /** `maxReferrers`: distinct referrers of one subject read before TOO_MANY_REFERRERS (default 256). */
  constructor(
    readonly root: string,
    private readonly limits: { maxReferrers?: number } = {},
  ) {
    this.location = `oci:${root}`;
  }

  private blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  /** Fail unless `root` holds an OCI layout with version 1.0.0. */
  private async checkLayout(): Promise<void> {
    let text: string;
    try {
      text = await readFile(join(this.root, 'oci-layout'), 'utf8');
    } catch (e) {
      if (isEnoent(e))
        throw new ModelsealError(
          'NOT_FOUND',
          `${this.root} is not an OCI image layout (no oci-layout file)`,
          { cause: e },
        );
      throw new ModelsealError(
        fsErrorCode(e),
        `cannot read ${join(this.root, 'oci-layout')}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (version !== '1.0.0')
      throw new ModelsealError(
        'UNREADABLE',
        `${join(this.root, 'oci-layout')} does not declare imageLayoutVersion 1.0.0`,
      );
  }

  /** Create the layout on first write (directory missing or empty); otherwise it must be a layout. */
  private ensureLayout(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await this.checkLayout();
        await removeStale(this.root, BLOB_TMP, '.tmp');
        await removeStale(this.root, INDEX_TMP, '.tmp');
        return;
      } catch (e) {
        if (!(e instanceof ModelsealError) || e.code !== 'NOT_FOUND') throw e;
      }
      const present = await readdir(this.root).catch((e: unknown) => {
        if (isEnoent(e)) return [] as string[];
        throw e;
      });
      const unexpected = present.filter((n) => n !== 'blobs' && n !== 'index.json' && n !== 'oci-layout');
      if (unexpected.length > 0) {
        throw new ModelsealError(
          'DEST_EXISTS',
          `${this.root} is neither empty nor an OCI image layout (found '${unexpected.sort()[0]}')`,
        );
      }
      await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
      await writeFile(join(this.root, 'index.json'), JSON.stringify(emptyIndex()), { flag: 'wx' }).catch(
        (e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        },
      );
      await writeFile(join(this.root, 'oci-layout'), LAYOUT_FILE, { flag: 'wx' }).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      });
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  async resolve(reference: string): Promise<Descriptor> {
    await this.checkLayout();
    const index = await readLayoutIndex(this.root);
    if (isSha256Digest(reference)) {
      const listed = index.manifests.find((m) => m.digest === reference);
      if (listed) return plainDescriptor(listed);
      const bytes = await this.readSmallBlob(reference);
      const mediaType = (safeJson(bytes) as { mediaType?: unknown } | undefined)?.mediaType;
      if (typeof mediaType !== 'string' || !MANIFEST_MEDIA_TYPES.includes(mediaType)) {
        throw new ModelsealError(
          'UNSUPPORTED_ARTIFACT',
          `${this.location}@${reference} is not a manifest with a known mediaType`,
        );
      }
      return { mediaType, digest: reference, size: bytes.length };
    }
    if (!TAG.test(reference))
      throw new ModelsealError('BAD_REFERENCE', `'${reference}' is neither a tag nor a sha256 digest`);
    const hits = index.manifests.filter((m) => m.annotations?.[REF_NAME] === reference);
    if (hits.length === 0)
      throw new ModelsealError('NOT_FOUND', `tag '${reference}' not found in ${this.location}`);
    return plainDescriptor(hits[hits.length - 1]);
  }

  async fetch(desc: Descriptor): Promise<Readable> {
    if (MANIFEST_MEDIA_TYPES.includes(desc.mediaType))
      return Readable.from([(await this.fetchManifest(desc)).bytes], { objectMode: false });
    await this.checkLayout();
    const file = this.blobPath(assertSha256Digest(desc.digest, `${this.location} fetch`));
    try {
      const handle = await openRegularFile(file, `blob ${desc.digest} in ${this.location}`);
      return handle.createReadStream({ highWaterMark: READ_CHUNK });
    } catch (e) {
      if (e instanceof ModelsealError) throw e;
      if (isEnoent(e))
        throw new ModelsealError('NOT_FOUND', `blob ${desc.digest} not found in ${this.location}`, {
          cause: e,
        });
      throw fileSystemError(e, 'read', `read blob ${desc.digest} in ${this.location} from`, file);
    }
  }

  /** Read a blob of at most MAX_MANIFEST_BYTES; bigger ones fail with MANIFEST_TOO_LARGE before reading. */
  private async readSmallBlob(digest: string): Promise<Buffer> {
    const file = this.blobPath(assertSha256Digest(digest, this.location));
    let handle: FileHandle;
    try {
      handle = await openRegularFile(file, `manifest ${digest} in ${this.location}`);
    } catch (e) {
      if (isEnoent(e))
        throw new ModelsealError('NOT_FOUND', `manifest ${digest} not found in ${this.location}`, {
          cause: e,
        });
      throw e;
    }
    try {
      const size = (await handle.stat()).size;
      if (size > MAX_MANIFEST_BYTES) {
        throw new ModelsealError(
          'MANIFEST_TOO_LARGE',
          `manifest ${digest} in ${this.location} is ${size} bytes (limit ${MAX_MANIFEST_BYTES})`,
        );
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /** A manifest's exact bytes, checked against its digest (bounded to 4 MiB). */
  async fetchManifest(reference: string | Descriptor): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
    const descriptor = typeof reference === 'string' ? await this.resolve(reference) : reference;
    if (descriptor.size > MAX_MANIFEST_BYTES) {
      throw new ModelsealError(
        'MANIFEST_TOO_LARGE',
        `manifest ${descriptor.digest} in ${this.location} is ${descriptor.size} bytes (limit ${MAX_MANIFEST_BYTES})`,
      );
    }
    await this.checkLayout();
    const bytes = await this.readSmallBlob(descriptor.digest);
    const actual = sha256Digest(bytes);
    if (actual !== descriptor.digest || bytes.length !== descriptor.size) {
      throw new ModelsealError(
        'DIGEST_MISMATCH',
        `manifest ${descriptor.digest} in ${this.location} is corrupt: its ${bytes.length} bytes hash to ${actual}`,
      );
    }
    return { descriptor, bytes };
  }

  async exists(desc: Descriptor): Promise<boolean> {
    try {
      const s = await stat(this.blobPath(assertSha256Digest(desc.digest, this.location)));
      return s.isFile() && s.size === desc.size;
    } catch (e) {
      if (isEnoent(e)) return false;
      throw e;
    }
  }

  async push(desc: Descriptor, content: BlobSource): Promise<void> {
    assertSha256Digest(desc.digest, `${this.location} push`);
    await this.ensureLayout();
    if (!(await this.exists(desc))) await this.writeBlob(desc, content);
    if (MANIFEST_MEDIA_TYPES.includes(desc.mediaType)) await this.listManifest(desc);
  }

  private async writeBlob(desc: Descriptor, content: BlobSource): Promise<void> {
    const tmp = join(this.root, ownedName(BLOB_TMP, '.tmp'));
    try {
      const source = content.kind === 'bytes' ? Readable.from([Buffer.from(content.bytes)]) : content.open();
      await pipeline(
        source,
        new VerifyingTap(desc, `refusing blob for ${this.location}`),
        new CoalescingWriteStream(tmp, { expectedBytes: desc.size }),
      );
      await rename(tmp, this.blobPath(desc.digest));
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  /**
   * Every pushed manifest is listed in index.json, without a ref name until it is tagged (the image
   * layout spec allows untagged entries): a copy by digest can be found again, and referrers() sees
   * referrer manifests.
   */
  private async listManifest(desc: Descriptor): Promise<void> {
    const entry = plainDescriptor(desc);
    await updateLayoutIndex(this.root, (index) => {
      if (!index.manifests.some((m) => m.digest === desc.digest)) index.manifests.push(entry);
    });
  }

  async tag(desc: Descriptor, tag: string): Promise<void> {
    if (!TAG.test(tag)) throw new ModelsealError('BAD_REFERENCE', `'${tag}' is not a valid tag`);
    await this.ensureLayout();
    if (!(await this.exists(desc)))
      throw new ModelsealError(
        'NOT_FOUND',
        `cannot tag ${desc.digest} in ${this.location}: manifest not present`,
      );
    const entry: Descriptor = { ...plainDescriptor(desc), annotations: { [REF_NAME]: tag } };
    await updateLayoutIndex(this.root, (index) => {
      index.manifests = index.manifests.filter(
        (m) =>
          m.annotations?.[REF_NAME] !== tag &&
          !(m.digest === desc.digest && m.annotations?.[REF_NAME] === undefined),
      );
      index.manifests.push(entry);
    });
  }

  /**
   * Manifests of index.json whose subject is `subject`, each digest once (a manifest that cannot be
   * read or parsed is nobody's referrer); TOO_MANY_REFERRERS above the limit.
   */
  async referrers(subject: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    await this.checkLayout();
    const index = await readLayoutIndex(this.root);
    const seen = new Set<string>();
    const found: Descriptor[] = [];
    for (const m of index.manifests) {
      if (seen.has(m.digest) || !MANIFEST_MEDIA_TYPES.includes(m.mediaType)) continue;
      seen.add(m.digest);
      let parsed: ReturnType<typeof parseManifest>;
      try {
        const { bytes } = await this.fetchManifest(plainDescriptor(m));
        parsed = parseManifest(bytes, m.mediaType, `${this.location}@${m.digest}`);
      } catch (e) {
        // a manifest that cannot be read says nothing about whose referrer it is: not one of these
        if (e instanceof ModelsealError) continue;
        throw e;
      }
      const doc = parsed.kind === 'index' ? parsed.index : parsed.manifest;
      if (doc.subject?.digest !== subject.digest) continue;
      const entry = referrerDescriptor(m, doc);
      if (artifactType !== undefined && entry.artifactType !== artifactType) continue;
      found.push(entry);
    }
    return limitReferrers(
      found,
      { subject: subject.digest, location: this.location },
      this.limits.maxReferrers,
    );
  }
}

function plainDescriptor(d: Descriptor): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType ? { artifactType: d.artifactType } : {}),
  };
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
