// Creates a signing key pair and writes cosign-compatible `PREFIX.key` (encrypted with scrypt N=65536,
// r=8, p=1 + NaCl secretbox, or plain PKCS#8 PEM when not encrypted) and `PREFIX.pub` (SPKI PEM).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import { encryptCosignKey } from './cosign-key.js';
import { publicKeyPem } from './load-public-key.js';

/** The key types modelseal creates, cosign's default first. */
export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519'] as const;
/** A key algorithm generateKeyPair() can create (one of KEY_ALGORITHMS). */
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/**
 * Options of generateKeyPair(): output prefix (default `cosign`: writes cosign.key and cosign.pub),
 * algorithm (default ecdsa-p256), and the password of the encrypted key (required unless
 * `encrypt: false`).
 */
export interface GenerateKeyPairOptions {
  /** Files written: `${outputPrefix}.key` and `${outputPrefix}.pub`. Default `cosign`. */
  outputPrefix?: string;
  /** Password for the encrypted key; required unless `encrypt` is false ('' is allowed, like cosign). */
  password?: string;
  /** Write an encrypted cosign key (default true) or a plain PKCS#8 PEM. */
  encrypt?: boolean;
  /** Default `ecdsa-p256` (cosign's default). */
  algorithm?: KeyAlgorithm;
}

/** The files generateKeyPair() wrote. */
export interface GeneratedKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKey: KeyObject;
}

const CURVE: Record<Exclude<KeyAlgorithm, 'ed25519'>, string> = {
  'ecdsa-p256': 'prime256v1',
  'ecdsa-p384': 'secp384r1',
  'ecdsa-p521': 'secp521r1',
};

/** Makes a new key pair in memory. */
export function newKeyPair(algorithm: KeyAlgorithm = 'ecdsa-p256'): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  if (!(KEY_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new ModelsealError('USAGE', `unknown key algorithm '${algorithm}' (${KEY_ALGORITHMS.join(', ')})`);
  }
  if (algorithm === 'ed25519') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('ec', { namedCurve: CURVE[algorithm] });
}

async function writeNew(path: string, data: string, mode: number): Promise<void> {
  try {
    await writeFile(path, data, { flag: 'wx', mode });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST')
      throw new ModelsealError('DEST_EXISTS', `${path} already exists; refusing to overwrite a key`);
    throw new ModelsealError('UNREADABLE', `${path}: cannot write (${code ?? 'error'})`, { cause: e });
  }
}

/** Generates a key pair and writes it; never overwrites existing files. */
export async function generateKeyPair(opts: GenerateKeyPairOptions = {}): Promise<GeneratedKeyPair> {
  const prefix = opts.outputPrefix ?? 'cosign';
  const encrypt = opts.encrypt ?? true;
  if (encrypt && opts.password === undefined) {
    throw new ModelsealError(
      'BAD_PASSWORD',
      'a password is needed to encrypt the new key (give password, or set encrypt to false)',
    );
  }
  const { privateKey, publicKey } = newKeyPair(opts.algorithm);
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const keyText = encrypt
    ? encryptCosignKey(pkcs8, opts.password as string)
    : privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const privateKeyPath = `${prefix}.key`;
  const publicKeyPath = `${prefix}.pub`;
  await writeNew(privateKeyPath, keyText, 0o600);
  try {
    await writeNew(publicKeyPath, publicKeyPem(publicKey), 0o644);
  } catch (e) {
    await rm(privateKeyPath, { force: true });
    throw e;
  }
  return { privateKeyPath, publicKeyPath, publicKey };
}
