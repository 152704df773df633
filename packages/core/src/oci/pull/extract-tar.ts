// Extract a tar (or tar+gzip) layer into the staging tree with the same path rules as raw layers:
// regular files and directories only, plus symlinks/hard links that stay inside the tree; device
// files, FIFOs and anything escaping the tree fail with 'UNSAFE_PATH'.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, realpath, symlink } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type tar from 'tar-stream';
import { lazyModule } from '../../lazy-module.js';

const tarStream = lazyModule<typeof import('tar-stream')>('tar-stream');
import { ModelsealError } from '../../errors.js';
import { checkRelativePath, PathClaims } from './safe-path.js';

export interface ExtractedFile {
  path: string;
  digest: string;
  size: number;
}

export interface ExtractOptions {
  stagingRoot: string;
  claims: PathClaims;
  /** where the layer came from, for messages */
  where: string;
  gzip: boolean;
  include?: (path: string) => boolean;
  /** entries (and everything below them) to leave out, each reported once to `onSkip` */
  skip?: (path: string) => boolean;
  onSkip?: (path: string) => void;
}

function unsafe(name: string, where: string, why: string): ModelsealError {
  return new ModelsealError(
    'UNSAFE_PATH',
    `${where}: refusing tar entry ${JSON.stringify(name.slice(0, 200))}: ${why}`,
  );
}

/** Normalise a tar entry name: drop a leading './' and a trailing '/', then validate. */
function entryPath(name: string, where: string): string | undefined {
  let p = name;
  while (p.startsWith('./')) p = p.slice(2);
  if (p.endsWith('/')) p = p.replace(/\/+$/, '');
  if (p === '' || p === '.') return undefined;
  return checkRelativePath(p, `${where} tar entry`);
}

async function writeEntry(
  stream: AsyncIterable<Buffer>,
  file: string,
  mode: number,
): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(file, 'wx', mode);
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** Extract `source` (already being digest-checked by the caller) and return the regular files written. */
export async function extractTar(source: Readable, opts: ExtractOptions): Promise<ExtractedFile[]> {
  const { stagingRoot, claims, where } = opts;
  const files: ExtractedFile[] = [];
  const extract = tarStream().extract();
  const input = opts.gzip ? source.pipe(createGunzip()) : source;
  if (opts.gzip) source.on('error', (e) => input.destroy(e));

  const handle = async (header: tar.Header, stream: Readable): Promise<void> => {
    const path = entryPath(header.name, where);
    const type = header.type ?? 'file';
    if (path === undefined) {
      if (type !== 'directory') throw unsafe(header.name, where, 'names the layer root');
      stream.resume();
      return;
    }
    if (opts.skip?.(path)) {
      opts.onSkip?.(path);
      for await (const _ of stream) void _;
      return;
    }
    const wanted = !opts.include || opts.include(path) || type === 'directory';
    if (!wanted) {
      for await (const _ of stream) void _;
      return;
    }
    const target = join(stagingRoot, ...path.split('/'));
    switch (type) {
      case 'file':
      case 'contiguous-file': {
        claims.claim(path, 'file', `${where} tar entry`);
        await mkdir(dirname(target), { recursive: true });
        const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
        const { digest, size } = await writeEntry(stream, target, mode);
        files.push({ path, digest, size });
        return;
      }
      case 'directory':
        claims.claim(path, 'dir', `${where} tar entry`);
        await mkdir(target, { recursive: true });
        stream.resume();
        return;
      case 'symlink': {
        const link = header.linkname ?? '';
        if (link === '' || link.startsWith('/') || link.includes('\0') || link.includes('\\'))
          throw unsafe(header.name, where, `symlink to '${link}' is absolute or malformed`);
        const resolved = posix.normalize(posix.join(posix.dirname(path), link));
        if (resolved === '..' || resolved.startsWith('../') || resolved === '.')
          throw unsafe(header.name, where, `symlink to '${link}' points outside the model`);
        claims.claim(path, 'symlink', `${where} tar entry`);
        await mkdir(dirname(target), { recursive: true });
        await symlink(link, target);
        stream.resume();
        return;
      }
      case 'link': {
        const from = entryPath(header.linkname ?? '', where);
        const original = from === undefined ? undefined : files.find((f) => f.path === from);
        if (from === undefined || original === undefined)
          throw unsafe(
            header.name,
            where,
            `hard link to '${header.linkname}' does not name an earlier file of this layer`,
          );
        claims.claim(path, 'file', `${where} tar entry`);
        await mkdir(dirname(target), { recursive: true });
        await copyFile(join(stagingRoot, ...from.split('/')), target);
        files.push({ path, digest: original.digest, size: original.size });
        stream.resume();
        return;
      }
      default:
        throw unsafe(header.name, where, `entries of type '${type}' are not allowed`);
    }
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      extract.destroy();
      source.destroy();
      reject(e);
    };
    extract.on('entry', (header, stream, next) => {
      handle(header, stream as unknown as Readable).then(() => next(), fail);
    });
    extract.on('finish', () => {
      if (!failed) resolve();
    });
    extract.on('error', (e: Error) =>
      fail(
        e instanceof ModelsealError
          ? e
          : new ModelsealError('UNSUPPORTED_ARTIFACT', `${where}: not a valid tar archive: ${e.message}`, {
              cause: e,
            }),
      ),
    );
    input.on('error', (e: Error) =>
      fail(
        e instanceof ModelsealError
          ? e
          : new ModelsealError(
              opts.gzip ? 'UNSUPPORTED_ARTIFACT' : 'UNREADABLE',
              `${where}: ${opts.gzip ? 'bad gzip data' : 'read failed'}: ${e.message}`,
              { cause: e },
            ),
      ),
    );
    input.pipe(extract);
  });
  return files;
}

/**
 * After every layer is in place: each symlink must resolve (following chains of links) to an existing
 * path inside the tree. Lexical checks alone cannot see `a/l -> ..` used by another link's target.
 */
export async function checkSymlinks(stagingRoot: string, claims: PathClaims, where: string): Promise<void> {
  const root = await realpath(stagingRoot);
  for (const link of claims.symlinks()) {
    let resolved: string;
    try {
      resolved = await realpath(join(stagingRoot, ...link.split('/')));
    } catch {
      throw unsafe(link, where, 'symlink target does not exist in the model');
    }
    if (resolved !== root && !resolved.startsWith(root + sep))
      throw unsafe(link, where, 'symlink resolves outside the model');
  }
}
