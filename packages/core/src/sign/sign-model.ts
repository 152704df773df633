// The `signModel` verb: hash a model (leaving its signature file out), build the OMS statement,
// sign it with any BundleSigner and write the bundle atomically (temp file + rename).
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { ModelsealError } from '../errors.js';
import { hashModel, type HashModelOptions } from '../digest/hash-model.js';
import { buildStatement } from '../oms/statement.js';
import type { ModelManifest } from '../types.js';
import { serializeBundle } from './dsse-bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from './dsse.js';
import { defaultSignaturePath } from './signature-path.js';
import type { BundleSigner } from './signer.js';

export interface SignModelOptions extends Omit<HashModelOptions, 'signaturePath'> {
  signer: BundleSigner;
  /** Default: MODEL/model.sig for a directory, MODEL.sig for a single file. */
  signaturePath?: string;
}

export interface SignModelResult {
  manifest: ModelManifest;
  bundle: SerializedBundle;
  /** Absolute path of the written signature. */
  signaturePath: string;
}

/** Writes `data` to `file` through a temp file in the same directory and a rename. */
export async function writeFileAtomic(file: string, data: Buffer): Promise<void> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tmp, data, { flag: 'wx', mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    const code = (e as { code?: string }).code;
    throw new ModelsealError('UNREADABLE', `cannot write signature '${file}' (${code ?? 'error'})`, {
      cause: e,
    });
  }
}

export async function signModel(modelPath: string, opts: SignModelOptions): Promise<SignModelResult> {
  const { signer, signaturePath: given, ...hashing } = opts;
  const signaturePath = path.resolve(given ?? (await defaultSignaturePath(modelPath)));
  const manifest = await hashModel(modelPath, { ...hashing, signaturePath });
  const statement = buildStatement(manifest);
  const bundle = await signer.signStatement(statement, IN_TOTO_PAYLOAD_TYPE);
  await writeFileAtomic(signaturePath, serializeBundle(bundle));
  return { manifest, bundle, signaturePath };
}
