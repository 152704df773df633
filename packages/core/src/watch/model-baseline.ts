// The signed state a watch compares against (built by loadBaseline once the signature verified):
// the signed resources grouped per file (one digest, or a file's shards).
import path from 'node:path';
import { splitShardName } from '../oms/shard-layout.js';
import type { SignedManifest } from '../oms/statement.js';
import type { SignerIdentity } from '../oms/verifier.js';
import type { Resource } from '../types.js';

/** A verified signature and what it says each file must hash to. */
export interface Baseline {
  root: string;
  signaturePath: string;
  manifest: SignedManifest;
  signer: SignerIdentity;
  /** model-relative path -> `name=digest` of its resources joined with ';' (shards in offset order) */
  expected: Map<string, string>;
}

/** `name=digest` of one file's resources, in the order hashFiles returns them. */
export function resourceKey(resources: Resource[]): string {
  return resources.map((r) => `${r.name}=${r.digest}`).join(';');
}

/** Group resources per file path (shard names `path:start:end` go to `path`). */
export function resourcesByFile(
  manifest: Pick<SignedManifest, 'config'>,
  resources: Resource[],
): Map<string, Resource[]> {
  const out = new Map<string, Resource[]>();
  for (const r of resources) {
    const file = manifest.config.method === 'shards' ? splitShardName(r.name).path : r.name;
    const list = out.get(file) ?? [];
    list.push(r);
    out.set(file, list);
  }
  for (const list of out.values())
    list.sort((a, b) => splitShardName(a.name).start - splitShardName(b.name).start);
  return out;
}

/** The baseline of `root` from a statement whose signature was already verified. */
export function baselineOf(
  root: string,
  signaturePath: string,
  manifest: SignedManifest,
  signer: SignerIdentity,
): Baseline {
  const expected = new Map<string, string>();
  for (const [file, list] of resourcesByFile(manifest, manifest.resources))
    expected.set(file, resourceKey(list));
  return { root: path.resolve(root), signaturePath, manifest, signer, expected };
}
