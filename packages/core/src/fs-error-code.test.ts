import { describe, expect, it } from 'vitest';
import { fsErrorCode, typedFileSystemError, writeErrorCode } from './fs-error-code.js';

const errno = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: x, ${syscall} '${path}'`), { code, syscall, path });

describe('file-system error codes', () => {
  it('maps errno codes separately for reading and writing', () => {
    for (const [code, read, write] of [
      ['ENOENT', 'NOT_FOUND', 'NOT_FOUND'],
      ['ENAMETOOLONG', 'NAME_TOO_LONG', 'NAME_TOO_LONG'],
      ['ENOTDIR', 'NOT_A_DIRECTORY', 'NOT_A_DIRECTORY'],
      ['EBUSY', 'BUSY', 'BUSY'],
      ['EACCES', 'UNREADABLE', 'UNWRITABLE'],
      ['EROFS', 'UNREADABLE', 'UNWRITABLE'],
      ['ENOSPC', 'UNREADABLE', 'UNWRITABLE'],
    ] as const) {
      expect([code, fsErrorCode({ code })]).toEqual([code, read]);
      expect([code, writeErrorCode({ code })]).toEqual([code, write]);
    }
  });

  it('turns a raw fs error into one line naming the path; leaves other errors alone', () => {
    const busy = typedFileSystemError(errno('EBUSY', 'rename', '/mnt/model'));
    expect([busy?.code, busy?.message]).toEqual([
      'BUSY',
      "cannot write '/mnt/model': resource busy (a mount point?), EBUSY",
    ]);
    const denied = typedFileSystemError(errno('EACCES', 'mkdir', '/ro/x'));
    expect([denied?.code, denied?.message]).toEqual([
      'UNWRITABLE',
      "cannot create '/ro/x': permission denied, EACCES",
    ]);
    const read = typedFileSystemError(errno('EACCES', 'scandir', '/secret'));
    expect([read?.code, read?.message]).toEqual([
      'UNREADABLE',
      "cannot read '/secret': permission denied, EACCES",
    ]);
    expect(
      typedFileSystemError(new TypeError("Cannot read properties of undefined (reading 'split')")),
    ).toBeUndefined();
    expect(
      typedFileSystemError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })),
    ).toBeUndefined();
  });
});
