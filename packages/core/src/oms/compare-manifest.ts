// Compares the signed manifest with the resources hashed from disk and reports tampered, missing
// and extra files precisely (TAMPERED_FILE > MISSING_FILE > EXTRA_FILE). In shards mode a file is
// compared as a whole: every shard the disk gives must be signed and every signed shard present,
// so --ignore-unsigned-files skips only files the signature never names, never part of a file.
import { ModelMismatchError } from '../errors.js';
import type { ModelManifest, Resource } from '../types.js';
import { shardsByFile } from './shard-layout.js';

/** Options of compareManifest(): whether files the signature does not list are allowed (default no). */
export interface CompareOptions {
  /** Files on disk that the signature does not name at all are allowed (not reported as EXTRA_FILE). */
  ignoreUnsignedFiles?: boolean;
}

const SHOWN = 3;

function list(names: string[]): string {
  const shown = names
    .slice(0, SHOWN)
    .map((n) => `'${n}'`)
    .join(', ');
  return names.length > SHOWN ? `${shown} and ${names.length - SHOWN} more` : shown;
}

function label(r: Resource): string {
  return `${r.algorithm.replace(/-sharded-\d+$/, '')}:${r.digest}`;
}

function others(kind: 'missing' | 'extra', diff: { missing: string[]; extra: string[] }): string {
  const parts: string[] = [];
  if (kind === 'missing' && diff.missing.length) parts.push(`${diff.missing.length} missing`);
  if (diff.extra.length) parts.push(`${diff.extra.length} unsigned`);
  return parts.length ? `; also ${parts.join(', ')}` : '';
}

/** Why one file's resources differ ('' when they match). */
function difference(want: Resource[], got: Resource[], sharded: boolean): string {
  const gotByName = new Map(got.map((r) => [r.name, r]));
  const wantNames = new Set(want.map((r) => r.name));
  for (const w of want) {
    const g = gotByName.get(w.name);
    if (!g) return `signed shard '${w.name}' is not in the file: its size changed`;
    if (g.digest !== w.digest || g.algorithm !== w.algorithm) {
      const where = sharded ? `shard '${w.name}': ` : '';
      return `${where}expected ${label(w)}, got ${label(g)}`;
    }
  }
  for (const g of got)
    if (!wantNames.has(g.name)) return `shard '${g.name}' is not signed: the file grew past its signed end`;
  return '';
}

/** Resources per file: one each in files mode, the file's shards in shards mode. */
function byFile(m: Pick<ModelManifest, 'config'>, resources: readonly Resource[]): Map<string, Resource[]> {
  if (m.config.method === 'shards') return shardsByFile(resources);
  return new Map(resources.map((r) => [r.name, [r]]));
}

/** Throws ModelMismatchError unless `actual` matches `signed` exactly (up to unsigned extras when allowed). */
export function compareManifest(signed: ModelManifest, actual: Resource[], opts: CompareOptions = {}): void {
  const want = byFile(signed, signed.resources);
  const got = byFile(signed, actual);
  const changed: string[] = [];
  const why = new Map<string, string>();
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [name, w] of want) {
    const g = got.get(name);
    if (!g) {
      missing.push(name);
      continue;
    }
    const d = difference(w, g, signed.config.method === 'shards');
    if (d) {
      changed.push(name);
      why.set(name, d);
    }
  }
  if (!opts.ignoreUnsignedFiles) for (const name of got.keys()) if (!want.has(name)) extra.push(name);
  const diff = { changed, missing, extra };
  if (changed.length === 1) {
    const name = changed[0];
    throw new ModelMismatchError(
      'TAMPERED_FILE',
      `model file '${name}' does not match the signature (${why.get(name)})${others('missing', diff)}`,
      diff,
    );
  }
  if (changed.length > 1) {
    throw new ModelMismatchError(
      'TAMPERED_FILE',
      `${changed.length} model files do not match the signature: ${list(changed)}${others('missing', diff)}`,
      diff,
    );
  }
  if (missing.length) {
    const what =
      missing.length === 1
        ? `model file ${list(missing)} is signed but missing`
        : `${missing.length} signed model files are missing: ${list(missing)}`;
    throw new ModelMismatchError('MISSING_FILE', `${what}${others('extra', diff)}`, diff);
  }
  if (extra.length) {
    const what =
      extra.length === 1
        ? `model file ${list(extra)} is not in the signature`
        : `${extra.length} model files are not in the signature: ${list(extra)}`;
    throw new ModelMismatchError('EXTRA_FILE', what, diff, {
      option: 'ignoreUnsignedFiles',
      action: 'set',
      to: 'allow unsigned files',
    });
  }
}
