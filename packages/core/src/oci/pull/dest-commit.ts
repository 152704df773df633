// Where a pull stages its files and how they reach DEST:
// - DEST does not exist: stage in a hidden directory beside DEST, then rename the tree onto DEST in
//   one step (atomic: DEST appears complete or not at all).
// - DEST is an empty directory (a mount point such as a Kubernetes emptyDir or a tmpfs, which cannot
//   be renamed over): stage in a hidden directory inside DEST, move the entries in, remove the
//   staging directory, and write the completion marker (`.modelseal-complete`) last. Readers wait for
//   the marker. DEST itself (its mode, owner, inode) is never replaced.
// - DEST is anything else (a non-empty directory, a file, a symlink): refused with DEST_EXISTS.
// Staging directories carry the pulling process's pid, so a later pull removes what a killed one left.
// Before moving entries into an existing DEST, the pull writes a journal (`.modelseal-committing-
// <pid>-<rand>`, the names it is about to move) into DEST; a pull killed mid-commit leaves it, and
// the next pull removes exactly those names when their owner is dead. Anything else in DEST stays
// DEST_EXISTS.
import { lstat, mkdir, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { readInputFile } from '../../read-input-file.js';
import { basename, dirname, join } from 'node:path';
import { ModelsealError } from '../../errors.js';
import { fsErrorCode } from '../../fs-error-code.js';
import { PULL_MARKER } from '../../model/ignore-rules.js';
import { ownedName, processAlive, removeStale } from '../stale-files.js';

/** A staging area for one pull. */
export interface StagedDest {
  /** the empty directory the pulled files are written to */
  tree: string;
  /** private scratch space (archives before extraction) */
  work: string;
  /** whether the files are moved into an existing DEST (and the marker written) */
  inPlace: boolean;
  /** move the tree onto DEST; `marker` is written last when DEST existed. Throws DEST_EXISTS when DEST changed. */
  commit(marker: Record<string, unknown>): Promise<void>;
  /** remove everything staged (DEST is left as it was) */
  discard(): Promise<void>;
}

/** Prefix of staging directories inside an existing DEST. */
const INSIDE_PREFIX = '.modelseal-staging-';

/** Prefix of the journal of an in-place commit: the names being moved into DEST. */
const JOURNAL_PREFIX = '.modelseal-committing-';

/**
 * Undo what a pull killed mid-commit left in `dest`: if the only journal belongs to a dead process
 * and every other entry is a name it lists, remove them (and the journal). When the completion
 * marker is there the commit had finished: only the journal goes. Otherwise nothing is touched.
 */
async function recoverUnfinishedCommit(dest: string): Promise<void> {
  const names = await readdir(dest);
  const journals = names.filter((n) => n.startsWith(JOURNAL_PREFIX));
  if (journals.length !== 1) return;
  const journal = journals[0];
  const pid = Number(/^\.modelseal-committing-(\d+)-/.exec(journal)?.[1]);
  if (!Number.isSafeInteger(pid) || processAlive(pid)) return;
  if (names.includes(PULL_MARKER)) return void (await rm(join(dest, journal), { force: true }));
  let listed: unknown;
  try {
    listed = (JSON.parse((await readInputFile(join(dest, journal))).toString('utf8')) as { names?: unknown })
      .names;
  } catch {
    return;
  }
  if (!Array.isArray(listed) || !listed.every((n) => typeof n === 'string')) return;
  const ours = new Set<string>(listed);
  const others = names.filter((n) => n !== journal);
  if (!others.every((n) => ours.has(n))) return; // foreign content: stays DEST_EXISTS
  for (const n of others) await rm(join(dest, n), { recursive: true, force: true });
  await rm(join(dest, journal), { force: true });
}

/** Prefix of staging directories beside DEST (the name is cut so the whole stays under NAME_MAX). */
function besidePrefix(destPath: string): string {
  return `.${basename(destPath).slice(0, 120)}.modelseal-staging-`;
}

function destExists(dest: string, why: string): ModelsealError {
  return new ModelsealError('DEST_EXISTS', `destination ${dest} ${why}`);
}

/**
 * What DEST is: 'absent', or 'empty' (an empty directory, after removing staging left inside it by
 * dead pulls). Anything else throws DEST_EXISTS (or UNREADABLE when it cannot be inspected).
 */
export async function checkDest(dest: string): Promise<'absent' | 'empty'> {
  let s;
  try {
    s = await lstat(dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new ModelsealError(fsErrorCode(e), `cannot inspect destination ${dest}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (s.isSymbolicLink()) {
    const to = await readlink(dest).catch(() => '?');
    throw destExists(
      dest,
      `is a symbolic link (to ${to}); pull into a new path, or into the directory it points to by its real path`,
    );
  }
  if (!s.isDirectory()) throw destExists(dest, 'already exists and is not a directory');
  await removeStale(dest, INSIDE_PREFIX);
  await recoverUnfinishedCommit(dest);
  const entries = await readdir(dest);
  if (entries.length > 0) throw destExists(dest, 'already exists and is not an empty directory');
  return 'empty';
}

/** Create the staging area for `destPath` (absolute), removing ones left by dead processes. */
export async function stageFor(destPath: string): Promise<StagedDest> {
  const state = await checkDest(destPath);
  await removeStale(dirname(destPath), besidePrefix(destPath));
  return state === 'absent' ? stageBeside(destPath) : stageInside(destPath);
}

async function stageBeside(destPath: string): Promise<StagedDest> {
  const parent = dirname(destPath);
  await mkdir(parent, { recursive: true });
  const work = join(parent, ownedName(besidePrefix(destPath)));
  await mkdir(work, { mode: 0o700 });
  const tree = join(work, 'model');
  await mkdir(tree);
  const discard = (): Promise<void> => rm(work, { recursive: true, force: true });
  return {
    tree,
    work,
    inPlace: false,
    discard,
    commit: async () => {
      await checkDest(destPath);
      try {
        await rename(tree, destPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR')
          throw new ModelsealError('DEST_EXISTS', `destination ${destPath} appeared while pulling`, {
            cause: e,
          });
        throw e;
      }
      await discard();
    },
  };
}

async function stageInside(destPath: string): Promise<StagedDest> {
  const work = join(destPath, ownedName(INSIDE_PREFIX));
  await mkdir(work, { mode: 0o700 });
  const tree = join(work, 'model');
  await mkdir(tree);
  const discard = (): Promise<void> => rm(work, { recursive: true, force: true });
  return {
    tree,
    work,
    inPlace: true,
    discard,
    commit: async (marker) => {
      const others = (await readdir(destPath)).filter((n) => n !== basename(work));
      if (others.length > 0)
        throw destExists(
          destPath,
          `changed while pulling (found '${others.sort()[0]}'); nothing was moved into it`,
        );
      const moved: string[] = [];
      const names = await readdir(tree);
      // The journal reaches DEST whole (written in staging, renamed in) before the first entry moves.
      const journal = ownedName(JOURNAL_PREFIX);
      await writeFile(join(work, journal), `${JSON.stringify({ names })}\n`, { mode: 0o644 });
      await rename(join(work, journal), join(destPath, journal));
      try {
        for (const name of names) {
          await rename(join(tree, name), join(destPath, name));
          moved.push(name);
        }
      } catch (e) {
        for (const name of moved) await rm(join(destPath, name), { recursive: true, force: true });
        await rm(join(destPath, journal), { force: true });
        throw e;
      }
      await discard();
      await writeFile(join(destPath, PULL_MARKER), `${JSON.stringify(marker)}\n`, {
        flag: 'wx',
        mode: 0o644,
      });
      await rm(join(destPath, journal), { force: true });
    },
  };
}
