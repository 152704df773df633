// Temporary files and directories named after the process that made them (`<prefix><pid>-<random>`),
// so that a later run can remove the ones whose process is gone (killed pulls, pushes into layouts).
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** `<prefix><pid>-<12 hex><suffix>`: unique, and tells which process owns it. */
export function ownedName(prefix: string, suffix = ''): string {
  return `${prefix}${process.pid}-${randomBytes(6).toString('hex')}${suffix}`;
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the entries of `dir` named `<prefix><pid>-<hex><suffix>` whose process is no longer alive.
 * Best effort: a directory that cannot be listed or an entry that cannot be removed is left alone.
 * Returns the names removed.
 */
export async function removeStale(dir: string, prefix: string, suffix = ''): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const m = /^(\d+)-[0-9a-f]{12}$/.exec(name.slice(prefix.length, name.length - suffix.length));
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      await rm(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      /* left for the next run */
    }
  }
  return removed;
}
