// The Target a pull copies into: a hidden staging directory that accepts only the layers of one
// planned manifest, writes each to its pre-validated path while verifying size and digest (archives
// are verified in full, then extracted), and reports every other blob as present so that `copy`
// never downloads it. `commit()` moves the verified tree onto DEST (see dest-commit.ts).
import { mkdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelsealError } from '../../errors.js';
import type { ArtifactLayer } from '../modelpack/artifact-layers.js';
import type { BlobSource, Descriptor, Target } from '../target.js';
import { CoalescingWriteStream } from '../coalescing-write-stream.js';
import { VerifyingTap } from '../verifying-stream.js';
import { checkSymlinks, extractTar } from './extract-tar.js';
import type { PathClaims } from './safe-path.js';

/** One file a pull wrote: its model-relative path, size and digest. */
export interface PulledFile {
  path: string;
  digest: string;
  size: number;
}

export interface StagingPlan {
  /** the artifact as shown in messages (`registry/repo:tag`) */
  shown: string;
  /** the manifest being pulled and its verified bytes */
  manifest: { descriptor: Descriptor; bytes: Buffer };
  /** the layers to write, paths already validated and claimed in `claims` */
  layers: ArtifactLayer[];
  claims: PathClaims;
  /** only these files of archive layers are written */
  include?: (path: string) => boolean;
  /** archive entries to leave out (paths verify ignores), each reported to `onSkip` */
  skip?: (path: string) => boolean;
  onSkip?: (path: string, where: string) => void;
}

function layerMode(layer: ArtifactLayer): number {
  return layer.mode !== undefined && (layer.mode & 0o111) !== 0 ? 0o755 : 0o644;
}

const CHUNK = 64 * 1024;

export class StagingTarget implements Target {
  readonly location: string;
  /** the files written so far (unordered) */
  readonly files: PulledFile[] = [];
  private readonly wanted = new Map<string, ArtifactLayer[]>();
  private readonly archives: string;
  private archiveCount = 0;

  /** `tree` is the (existing, empty) directory the files go to; `work` a private scratch directory. */
  constructor(
    readonly tree: string,
    work: string,
    private readonly plan: StagingPlan,
  ) {
    this.location = `staging for ${plan.shown}`;
    this.archives = join(work, 'archives');
    for (const layer of plan.layers) {
      const list = this.wanted.get(layer.descriptor.digest) ?? [];
      list.push(layer);
      this.wanted.set(layer.descriptor.digest, list);
    }
  }

  resolve(reference: string): Promise<Descriptor> {
    const d = this.plan.manifest.descriptor;
    if (reference === d.digest) return Promise.resolve(d);
    return Promise.reject(new ModelsealError('NOT_FOUND', `${reference} is not staged in ${this.location}`));
  }

  fetch(desc: Descriptor): Promise<Readable> {
    if (desc.digest === this.plan.manifest.descriptor.digest)
      return Promise.resolve(Readable.from([this.plan.manifest.bytes]));
    return Promise.reject(
      new ModelsealError('NOT_FOUND', `${desc.digest} cannot be read back from ${this.location}`),
    );
  }

  /** Everything but a planned, not yet written layer counts as present: copy skips it. */
  exists(desc: Descriptor): Promise<boolean> {
    return Promise.resolve(!this.wanted.has(desc.digest));
  }

  async push(desc: Descriptor, content: BlobSource): Promise<void> {
    const expected = this.plan.manifest.descriptor;
    if (desc.digest === expected.digest) return; // the planned manifest: its bytes were verified already
    const layers = this.wanted.get(desc.digest);
    if (!layers)
      throw new ModelsealError('UNSUPPORTED_ARTIFACT', `${desc.digest} is not a layer of ${this.plan.shown}`);
    this.wanted.delete(desc.digest);
    const source = content.kind === 'bytes' ? Readable.from([Buffer.from(content.bytes)]) : content.open();
    const [first, ...copies] = layers;
    const where = (l: ArtifactLayer): string =>
      `${this.plan.shown} layer ${l.descriptor.digest}${l.path ? ` (${l.path})` : ''}`;
    const tap = new VerifyingTap(desc, where(first));
    if (first.encoding === 'raw') {
      const file = await this.writeRaw(first, source, tap);
      for (const other of copies) {
        if (other.encoding === 'raw') await this.copyRaw(file, other);
        else await this.extract(other, file, where(other));
      }
      return;
    }
    const archive = join(this.archives, `${this.archiveCount++}-${desc.digest.slice('sha256:'.length)}`);
    await mkdir(this.archives, { recursive: true, mode: 0o700 });
    // Archives are downloaded and verified first, then extracted: never parse unverified bytes.
    await pipeline(
      source,
      tap,
      new CoalescingWriteStream(archive, { flags: 'wx', expectedBytes: desc.size }),
    );
    for (const layer of layers) {
      if (layer.encoding === 'raw') await this.copyRaw(archive, layer);
      else await this.extract(layer, archive, where(layer));
    }
    await rm(archive, { force: true });
  }

  /** Pulls set no tags. */
  tag(): Promise<void> {
    return Promise.resolve();
  }

  referrers(): Promise<Descriptor[]> {
    return Promise.resolve([]);
  }

  /** After the copy: every symlink resolves inside the tree. */
  async finish(): Promise<void> {
    await checkSymlinks(this.tree, this.plan.claims, this.plan.shown);
  }

  private pathOf(layer: ArtifactLayer): string {
    return join(this.tree, ...(layer.path as string).split('/'));
  }

  private async writeRaw(layer: ArtifactLayer, source: Readable, tap: VerifyingTap): Promise<string> {
    const file = this.pathOf(layer);
    await mkdir(dirname(file), { recursive: true });
    await pipeline(
      source,
      tap,
      new CoalescingWriteStream(file, {
        flags: 'wx',
        mode: layerMode(layer),
        expectedBytes: layer.descriptor.size,
      }),
    );
    this.record(layer);
    return file;
  }

  /** A second file with the same content: copied from the verified first one. */
  private async copyRaw(from: string, layer: ArtifactLayer): Promise<void> {
    const file = this.pathOf(layer);
    await mkdir(dirname(file), { recursive: true });
    await pipeline(
      createReadStream(from, { highWaterMark: CHUNK }),
      new CoalescingWriteStream(file, {
        flags: 'wx',
        mode: layerMode(layer),
        expectedBytes: layer.descriptor.size,
      }),
    );
    this.record(layer);
  }

  private record(layer: ArtifactLayer): void {
    const d = layer.descriptor;
    this.files.push({ path: layer.path as string, digest: d.digest, size: d.size });
  }

  private async extract(layer: ArtifactLayer, archive: string, where: string): Promise<void> {
    const extracted = await extractTar(createReadStream(archive, { highWaterMark: CHUNK }), {
      stagingRoot: this.tree,
      claims: this.plan.claims,
      where,
      gzip: layer.encoding === 'tar+gzip',
      ...(this.plan.include ? { include: this.plan.include } : {}),
      ...(this.plan.skip ? { skip: this.plan.skip } : {}),
      ...(this.plan.onSkip ? { onSkip: (path: string) => this.plan.onSkip?.(path, where) } : {}),
    });
    this.files.push(...extracted);
  }
}
