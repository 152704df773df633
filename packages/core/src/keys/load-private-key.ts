// Loads a signing key from PEM text: PKCS#8, SEC1 `EC PRIVATE KEY`, encrypted PKCS#8, and cosign's
// encrypted key files, skipping text preambles. The password comes from the caller, then
// COSIGN_PASSWORD, then an optional prompt callback. Errors never contain key bytes or passwords.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { readInputFile } from '../read-input-file.js';
import { COSIGN_KEY_LABEL, COSIGN_LEGACY_KEY_LABEL, decryptCosignKey } from './cosign-key.js';
import { pemBlocks } from './pem.js';
import { signingAlgorithm } from './signing-algorithm.js';

/**
 * How to decrypt a private key: a password, or a callback that asks for one (default:
 * COSIGN_PASSWORD).
 */
export interface LoadPrivateKeyOptions {
  /** Password for an encrypted key; when absent, COSIGN_PASSWORD, then `askPassword`. */
  password?: string;
  /** Asks the user for the password (e.g. a no-echo TTY prompt); called only for encrypted keys. */
  askPassword?: () => Promise<string>;
  /** Where the key came from, for messages. */
  source?: string;
}

async function resolvePassword(opts: LoadPrivateKeyOptions, source: string): Promise<string> {
  if (opts.password !== undefined) return opts.password;
  const env = process.env.COSIGN_PASSWORD;
  if (env !== undefined) return env;
  if (opts.askPassword) return opts.askPassword();
  throw new ModelsealError(
    'BAD_PASSWORD',
    `${source} is encrypted: set COSIGN_PASSWORD or run on a terminal to be asked for the password`,
  );
}

function nodeKey(
  input: Parameters<typeof createPrivateKey>[0],
  source: string,
  encrypted: boolean,
): KeyObject {
  try {
    return createPrivateKey(input);
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (
      encrypted &&
      /BAD_DECRYPT|bad decrypt|ERR_OSSL_EVP_BAD_DECRYPT/i.test(`${code} ${(e as Error).message}`)
    ) {
      throw new ModelsealError('BAD_PASSWORD', `${source}: wrong password for the encrypted private key`);
    }
    throw new ModelsealError(
      'UNSUPPORTED_KEY',
      `${source}: not a readable private key${code ? ` (${code})` : ''}`,
    );
  }
}

/** Parses a private key from PEM text and checks it is EC P-256/384/521 or Ed25519. */
export async function loadPrivateKey(
  pem: string | Buffer,
  opts: LoadPrivateKeyOptions = {},
): Promise<KeyObject> {
  const source = opts.source ?? 'private key';
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const block = pemBlocks(text).find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!block) throw new ModelsealError('UNSUPPORTED_KEY', `${source}: no PEM private key found`);
  let key: KeyObject;
  if (block.label === COSIGN_KEY_LABEL || block.label === COSIGN_LEGACY_KEY_LABEL) {
    const der = decryptCosignKey(block.der, await resolvePassword(opts, source), source);
    key = nodeKey({ key: der, format: 'der', type: 'pkcs8' }, source, false);
  } else if (block.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block.text)) {
    key = nodeKey(
      { key: block.text, format: 'pem', passphrase: await resolvePassword(opts, source) },
      source,
      true,
    );
  } else {
    key = nodeKey({ key: block.text, format: 'pem' }, source, false);
  }
  signingAlgorithm(key, source);
  return key;
}

/** Reads and parses a private key file (see loadPrivateKey). */
export async function loadPrivateKeyFile(
  path: string,
  opts: Omit<LoadPrivateKeyOptions, 'source'> = {},
): Promise<KeyObject> {
  return loadPrivateKey(await readInputFile(path), { ...opts, source: path });
}
