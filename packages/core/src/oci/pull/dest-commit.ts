// Where a pull stages its files and how they reach DEST. DEST must not exist, or be an empty
// directory: the files are staged in a hidden directory beside DEST (named with the pulling process's
// pid, so a later pull removes what a killed one left) and the tree is renamed onto DEST in one step.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelsealError } from '../../errors.js';
import { fsErrorCode } from '../../fs-error-code.js';
import { ownedName, removeStale } from '../stale-files.js';

/** A staging area for one pull. */
export interface StagedDest {
  /** the empty directory the pulled files are written to */
  tree: string;
  /** private scratch space (archives before extraction) */
  work: string;
  /** move the tree onto DEST; throws DEST_EXISTS when DEST changed meanwhile */
  commit(): Promise<void>;
  /** remove everything staged (DEST is left as it was) */
  discard(): Promise<void>;
}

/** DEST must not exist, or be an empty directory. */
export async function checkDest(dest: string): Promise<void> {
  let s;
  try {
    s = await stat(dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ModelsealError(fsErrorCode(e), `cannot inspect destination ${dest}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!s.isDirectory() || (await readdir(dest)).length > 0) {
    throw new ModelsealError(
      'DEST_EXISTS',
      `destination ${dest} already exists and is not an empty directory`,
    );
  }
}

/** Prefix of staging directories beside DEST (the name is cut so the whole stays under NAME_MAX). */
function stagingPrefix(destPath: string): string {
  return `.${basename(destPath).slice(0, 120)}.modelseal-staging-`;
}

/** Create the staging area for `destPath` (absolute), removing ones left by dead processes. */
export async function stageFor(destPath: string): Promise<StagedDest> {
  const parent = dirname(destPath);
  await mkdir(parent, { recursive: true });
  const prefix = stagingPrefix(destPath);
  await removeStale(parent, prefix);
  const work = join(parent, ownedName(prefix));
  await mkdir(work, { mode: 0o700 });
  const tree = join(work, 'model');
  await mkdir(tree);
  const discard = (): Promise<void> => rm(work, { recursive: true, force: true });
  return {
    tree,
    work,
    discard,
    commit: async () => {
      await checkDest(destPath);
      try {
        await rename(tree, destPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
          throw new ModelsealError(
            'DEST_EXISTS',
            `destination ${destPath} appeared while pulling and is not an empty directory`,
            { cause: e },
          );
        }
        throw e;
      }
      await discard();
    },
  };
}
