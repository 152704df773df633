// Compares the signed manifest with the resources hashed from disk and reports tampered, missing
// and extra files precisely (TAMPERED_FILE > MISSING_FILE > EXTRA_FILE).
import { ModelMismatchError } from '../errors.js';
import type { ModelManifest, Resource } from '../types.js';

export interface CompareOptions {
  /** Files on disk that the signature does not name are allowed (not reported as EXTRA_FILE). */
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

/** Throws ModelMismatchError unless `actual` matches `signed` exactly (up to unsigned extras when allowed). */
export function compareManifest(signed: ModelManifest, actual: Resource[], opts: CompareOptions = {}): void {
  const want = new Map(signed.resources.map((r) => [r.name, r]));
  const got = new Map(actual.map((r) => [r.name, r]));
  const changed: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [name, w] of want) {
    const g = got.get(name);
    if (!g) missing.push(name);
    else if (g.digest !== w.digest || g.algorithm !== w.algorithm) changed.push(name);
  }
  if (!opts.ignoreUnsignedFiles) for (const name of got.keys()) if (!want.has(name)) extra.push(name);
  const diff = { changed, missing, extra };
  if (changed.length === 1) {
    const name = changed[0];
    throw new ModelMismatchError(
      'TAMPERED_FILE',
      `model file '${name}' does not match the signature (expected ${label(want.get(name)!)}, got ${label(got.get(name)!)})${others('missing', diff)}`,
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
    throw new ModelMismatchError(
      'EXTRA_FILE',
      `${what} (--ignore-unsigned-files allows unsigned files)`,
      diff,
    );
  }
}
