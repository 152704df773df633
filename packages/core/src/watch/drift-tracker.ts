// Compares a deployed model with its baseline, cheaply: each check walks the tree and stats every file
// (size, mtime, ctime, inode, mode, owner); only files whose stamp changed are re-hashed, unless the
// check is `full` (then every file is). Events are reported once per change, not once per check.
import { statSync } from 'node:fs';
import { ModelsealError } from '../errors.js';
import { hashFiles } from '../digest/hash-files.js';
import { walkModel } from '../model/walk-model.js';
import type { ModelFile, ModelTree } from '../types.js';
import type { DriftEvent } from './drift-event.js';
import { resourceKey, resourcesByFile, type Baseline } from './model-baseline.js';

interface Stamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
}

/** What one check did. */
export interface CheckSummary {
  files: number;
  rehashed: number;
  events: DriftEvent[];
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

/** Tracks one model directory against its baseline between checks. */
export class DriftTracker {
  private stamps = new Map<string, Stamp>();
  /** files whose content currently differs from the signature (or that the signature does not list) */
  private drifted = new Set<string>();
  /** the resource key last reported for each drifted file (a chmod of a drifted file is not a new write) */
  private reported = new Map<string, string>();
  private missing = new Set<string>();
  private invalid?: string;

  constructor(
    private readonly baseline: Baseline,
    private readonly opts: { jobs?: number; now?: () => Date } = {},
  ) {}

  /** Walk, stat, re-hash what changed (everything when `full`), and return the new events. */
  async check(full: boolean): Promise<CheckSummary> {
    const time = (this.opts.now?.() ?? new Date()).toISOString();
    const events: DriftEvent[] = [];
    const event = (path: string, change: DriftEvent['change'], detail?: string): void =>
      void events.push({ time, path, change, ...(detail !== undefined ? { detail } : {}) });
    const { manifest, expected } = this.baseline;
    let tree: ModelTree;
    try {
      tree = await walkModel(this.baseline.root, {
        ignorePaths: manifest.ignorePaths,
        allowSymlinks: manifest.allowSymlinks,
        signaturePath: this.baseline.signaturePath,
      });
      this.invalid = undefined;
    } catch (e) {
      if (!(e instanceof ModelsealError)) throw e;
      if (e.code === 'EMPTY_MODEL')
        tree = {
          root: this.baseline.root,
          name: '',
          isFile: false,
          files: [],
          ignorePaths: [],
          allowSymlinks: false,
        };
      else {
        if (this.invalid !== e.message) event('.', 'invalid', e.message);
        this.invalid = e.message;
        return { files: this.stamps.size, rehashed: 0, events };
      }
    }
    const seen = new Set<string>();
    const toHash: ModelFile[] = [];
    const touched = new Set<string>();
    for (const file of tree.files) {
      seen.add(file.name);
      let st;
      try {
        st = statSync(file.path);
      } catch {
        continue; // gone between walk and stat: the next check reports it
      }
      const stamp: Stamp = {
        size: st.size,
        mtimeMs: st.mtimeMs,
        ctimeMs: st.ctimeMs,
        ino: st.ino,
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
      };
      const prev = this.stamps.get(file.name);
      this.stamps.set(file.name, stamp);
      if (prev && (prev.mode & 0o7777) !== (stamp.mode & 0o7777))
        event(file.name, 'mode', `${octal(prev.mode)} -> ${octal(stamp.mode)}`);
      if (prev && (prev.uid !== stamp.uid || prev.gid !== stamp.gid))
        event(file.name, 'owner', `${prev.uid}:${prev.gid} -> ${stamp.uid}:${stamp.gid}`);
      const changed =
        !prev ||
        prev.size !== stamp.size ||
        prev.mtimeMs !== stamp.mtimeMs ||
        prev.ctimeMs !== stamp.ctimeMs ||
        prev.ino !== stamp.ino;
      if (!expected.has(file.name)) {
        if (!prev) {
          event(file.name, 'added', 'not in the signature');
          this.drifted.add(file.name);
        } else if (
          changed &&
          (prev.size !== stamp.size || prev.mtimeMs !== stamp.mtimeMs || prev.ino !== stamp.ino)
        ) {
          event(file.name, 'modified', 'not in the signature');
        }
        continue;
      }
      if (this.missing.delete(file.name)) this.drifted.add(file.name); // back: 'restored' if it matches
      if (changed) touched.add(file.name);
      if (full || changed) toHash.push(file);
    }
    for (const name of [...this.stamps.keys()]) {
      if (seen.has(name)) continue;
      this.stamps.delete(name);
      this.drifted.delete(name);
      this.reported.delete(name);
      if (expected.has(name)) this.missing.add(name);
      event(name, 'removed', expected.has(name) ? 'signed file is gone' : 'unsigned file is gone');
    }
    for (const name of expected.keys()) {
      if (!seen.has(name) && !this.missing.has(name)) {
        this.missing.add(name);
        event(name, 'removed', 'signed file is missing');
      }
    }
    if (toHash.length > 0) {
      const actual = resourcesByFile(
        manifest,
        await hashFiles({ ...tree, files: toHash }, { config: manifest.config, jobs: this.opts.jobs ?? 1 }),
      );
      for (const file of toHash) {
        const got = resourceKey(actual.get(file.name) ?? []);
        const ok = got === expected.get(file.name);
        const was = this.drifted.has(file.name);
        if (ok && was) {
          this.drifted.delete(file.name);
          this.reported.delete(file.name);
          event(file.name, 'restored', 'content matches the signature again');
        } else if (!ok && (!was || touched.has(file.name)) && this.reported.get(file.name) !== got) {
          this.drifted.add(file.name);
          this.reported.set(file.name, got);
          event(file.name, 'modified', `content differs from the signature (${firstDigest(got)})`);
        }
      }
    }
    return { files: this.stamps.size, rehashed: toHash.length, events };
  }

  /** Whether the model currently differs from its signature in any way. */
  get hasDrift(): boolean {
    return this.drifted.size > 0 || this.missing.size > 0 || this.invalid !== undefined;
  }
}

function firstDigest(key: string): string {
  const d = key.split(';')[0]?.split('=').pop() ?? '';
  return d ? `now ${d.slice(0, 16)}...` : 'unreadable';
}
