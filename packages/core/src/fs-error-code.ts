// Maps Node file-system errors (errno codes) to modelseal error codes, separately for reading and
// writing, so that no raw ENAMETOOLONG / ENOTDIR / EACCES / EBUSY reaches the user as INTERNAL.
import { ModelsealError, type ErrorCode } from './errors.js';

const COMMON: Readonly<Record<string, ErrorCode>> = {
  ENOENT: 'NOT_FOUND',
  ENAMETOOLONG: 'NAME_TOO_LONG',
  ENOTDIR: 'NOT_A_DIRECTORY',
  EBUSY: 'BUSY',
  ELOOP: 'SYMLINK',
};

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENAMETOOLONG: 'file name too long',
  ENOTDIR: 'a component of the path is not a directory',
  EBUSY: 'resource busy (a mount point?)',
  ELOOP: 'too many symlinks',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  EXDEV: 'crosses file systems',
};

function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The modelseal code for a failure while reading: NOT_FOUND, NAME_TOO_LONG, ..., else UNREADABLE. */
export function fsErrorCode(e: unknown): ErrorCode {
  return COMMON[errnoOf(e) ?? ''] ?? 'UNREADABLE';
}

/** The modelseal code for a failure while writing: NAME_TOO_LONG, ..., else UNWRITABLE. */
export function writeErrorCode(e: unknown): ErrorCode {
  const errno = errnoOf(e);
  if (errno === 'ENOENT') return 'NOT_FOUND';
  return COMMON[errno ?? ''] ?? 'UNWRITABLE';
}

/** A short human reason for an errno (`permission denied`), or the errno itself. */
export function fsReason(e: unknown): string {
  const errno = errnoOf(e);
  if (errno === undefined) return e instanceof Error ? e.message.split('\n')[0] : String(e);
  return WHY[errno] ? `${WHY[errno]}, ${errno}` : errno;
}

/**
 * One-line error for a failed file-system operation: `cannot <verb> '<path>': <reason>`.
 * `op` picks the code family (read -> UNREADABLE, write -> UNWRITABLE for unmapped errors).
 */
export function fileSystemError(
  e: unknown,
  op: 'read' | 'write',
  verb: string,
  file: string,
): ModelsealError {
  const code = op === 'read' ? fsErrorCode(e) : writeErrorCode(e);
  return new ModelsealError(code, `cannot ${verb} '${file}': ${fsReason(e)}`, { cause: e });
}

/** System calls that change the file system: their failures are write failures. */
const WRITE_SYSCALLS = new Set([
  'mkdir',
  'mkdtemp',
  'rename',
  'write',
  'unlink',
  'rmdir',
  'rm',
  'link',
  'symlink',
  'copyfile',
  'chmod',
  'chown',
  'utime',
  'futime',
  'ftruncate',
  'fsync',
]);

/**
 * A raw Node file-system error (one with an errno `code`, a `syscall` and a `path`) as a typed
 * one-line error naming the path; undefined for anything else. The CLI's last line of defence:
 * core code should already throw typed errors, but an unwrapped fs call must not become INTERNAL.
 */
export function typedFileSystemError(e: unknown): ModelsealError | undefined {
  const err = e as NodeJS.ErrnoException | null;
  if (!(e instanceof Error) || typeof err?.code !== 'string' || typeof err.syscall !== 'string')
    return undefined;
  if (!/^E[A-Z0-9]+$/.test(err.code)) return undefined;
  const file = (err as { dest?: unknown }).dest ?? err.path;
  if (typeof file !== 'string') return undefined;
  const write = WRITE_SYSCALLS.has(err.syscall) || err.code === 'EROFS' || err.code === 'ENOSPC';
  const verb = write
    ? err.syscall === 'mkdir'
      ? 'create'
      : 'write'
    : err.syscall === 'open'
      ? 'open'
      : 'read';
  return fileSystemError(e, write ? 'write' : 'read', verb, file);
}
