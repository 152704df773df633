// Sign a model from digests already known: settle it (hash only what is unknown), sign the OMS
// statement, then walk once more and write the signature only if every file still has the stamp
// it was hashed with and nothing writes to it; otherwise hash what changed and sign again. The
// signature never covers a stale digest.
import path from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { ModelsealError } from '../errors.js';
import { stampChange } from '../digest/file-stamp.js';
import { walkModel } from '../model/walk-model.js';
import { buildStatement } from '../oms/statement.js';
import { untilAborted } from '../abort-race.js';
import { serializeBundle } from '../sign/dsse-bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import { checkSignatureDestination, writeFileAtomic } from '../sign/signature-destination.js';
import { DEFAULT_SIGNATURE_NAME } from '../oms/signature-path.js';
import type { BundleSigner } from '../sign/signer.js';
import type { ModelManifest, ModelTree } from '../types.js';
import type { KnownDigests } from './known-digests.js';
import { settleModel, type SettleModelOptions } from './settle-model.js';

/** Options of sealModel(): the signer, where the signature goes, and how to settle the model. */
export interface SealModelOptions extends Omit<SettleModelOptions, 'walk'> {
  signer: BundleSigner;
  /** default DIR/model.sig */
  signaturePath?: string;
  /** replace an existing signature (default false: DEST_EXISTS) */
  overwrite?: boolean;
  /** files the signature must never replace (keys, certificates) */
  protectedPaths?: readonly string[];
  /** walk options (ignore paths, git paths, symlinks); the signature path is added */
  walk?: Omit<SettleModelOptions['walk'], 'signaturePath'>;
}

/** What sealModel() wrote: the signature, the signed manifest, and which files it had to hash. */
export interface SealModelResult {
  manifest: ModelManifest;
  bundle: SerializedBundle;
  /** absolute path of the written signature */
  signaturePath: string;
  /** files hashed at signing time because no digest was known for their current stamp */
  hashed: string[];
}

const MAX_SIGNINGS = 10;

/** True when `after` lists exactly the files of `before`, each with the same stamp. */
function sameFiles(before: ModelTree, after: ModelTree): boolean {
  if (before.files.length !== after.files.length) return false;
  return before.files.every((f, i) => {
    const g = after.files[i];
    return g.name === f.name && !!f.stamp && !!g.stamp && !stampChange(f.stamp, g.stamp);
  });
}

/**
 * Sign directory `dir` with the digests in `known`, hashing only files without a digest for their
 * current stamp. Throws DEST_EXISTS (see sign), EMPTY_MODEL, what walking and hashing throw,
 * BUSY when the model kept changing, or the signal's reason (then nothing is written).
 */
export async function sealModel(
  dir: string,
  known: KnownDigests,
  opts: SealModelOptions,
): Promise<SealModelResult> {
  const { signer, overwrite = false, protectedPaths, walk, ...settling } = opts;
  const signaturePath = path.resolve(opts.signaturePath ?? path.join(dir, DEFAULT_SIGNATURE_NAME));
  await checkSignatureDestination(signaturePath, { overwrite, protectedPaths });
  const walkOptions = { ...walk, signaturePath };
  const hashed = new Set<string>();
  for (let i = 0; i < MAX_SIGNINGS; i++) {
    const settled = await settleModel(dir, known, { ...settling, walk: walkOptions });
    for (const n of settled.hashed) hashed.add(n);
    const statement = buildStatement(settled.manifest);
    const bundle = await untilAborted(signer.signStatement(statement, IN_TOTO_PAYLOAD_TYPE), opts.signal);
    // Just before the write: the same files, unchanged, and nobody writing them.
    const now = await walkModel(dir, walkOptions);
    if (!sameFiles(settled.tree, now)) continue;
    if (settling.waitForWriters && (await settling.waitForWriters(now.files))) continue;
    opts.signal?.throwIfAborted();
    await writeFileAtomic(signaturePath, serializeBundle(bundle), overwrite);
    return { manifest: settled.manifest, bundle, signaturePath, hashed: [...hashed] };
  }
  throw new ModelsealError(
    'BUSY',
    `model '${dir}' changed after each of ${MAX_SIGNINGS} signatures; sign it once nothing writes to it`,
  );
}
