// cosign's encrypted private key format: PEM `ENCRYPTED SIGSTORE PRIVATE KEY` (or legacy
// `ENCRYPTED COSIGN PRIVATE KEY`) whose body is JSON {kdf: scrypt, cipher: nacl/secretbox, ciphertext}.
import { randomBytes, scryptSync } from 'node:crypto';
import { lazyModule } from '../lazy-module.js';

const tweetnacl = lazyModule<typeof import('tweetnacl')>('tweetnacl');
import { ModelsealError } from '../errors.js';
import { toPem } from './pem.js';

export const COSIGN_KEY_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_LEGACY_KEY_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY';

/** scrypt cost parameters cosign accepts when decrypting (r=8, p=1 always). */
const ALLOWED_N = new Set([32768, 65536, 131072]);
const SCRYPT_MAXMEM = 256 * 1024 * 1024;

interface CosignKeyJson {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function deriveKey(password: string, salt: Buffer, N: number): Uint8Array {
  return new Uint8Array(
    scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N, r: 8, p: 1, maxmem: SCRYPT_MAXMEM }),
  );
}

/** Encrypts PKCS#8 DER bytes the way `cosign generate-key-pair` does; returns the PEM text. */
export function encryptCosignKey(pkcs8Der: Buffer, password: string, N = 65536): string {
  if (!ALLOWED_N.has(N))
    throw new ModelsealError('USAGE', `scrypt N must be one of 32768, 65536, 131072 (got ${N})`);
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const box = tweetnacl().secretbox(
    new Uint8Array(pkcs8Der),
    new Uint8Array(nonce),
    deriveKey(password, salt, N),
  );
  const body: CosignKeyJson = {
    kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(box).toString('base64'),
  };
  return toPem(COSIGN_KEY_LABEL, Buffer.from(JSON.stringify(body), 'utf8'));
}

/** Decrypts the JSON body of a cosign key; returns PKCS#8 DER. Wrong password -> BAD_PASSWORD. */
export function decryptCosignKey(body: Buffer, password: string, source: string): Buffer {
  let json: CosignKeyJson;
  try {
    json = JSON.parse(body.toString('utf8')) as CosignKeyJson;
  } catch {
    throw new ModelsealError('UNSUPPORTED_KEY', `${source}: encrypted cosign key body is not valid JSON`);
  }
  const params = json?.kdf?.params;
  if (
    json?.kdf?.name !== 'scrypt' ||
    json?.cipher?.name !== 'nacl/secretbox' ||
    typeof json.ciphertext !== 'string'
  ) {
    throw new ModelsealError(
      'UNSUPPORTED_KEY',
      `${source}: unsupported encrypted key (expected scrypt + nacl/secretbox)`,
    );
  }
  if (!params || !ALLOWED_N.has(params.N) || params.r !== 8 || params.p !== 1) {
    throw new ModelsealError(
      'UNSUPPORTED_KEY',
      `${source}: unsupported scrypt parameters N=${params?.N} r=${params?.r} p=${params?.p} (cosign uses N 32768/65536/131072, r=8, p=1)`,
    );
  }
  if (typeof json.kdf.salt !== 'string' || typeof json.cipher.nonce !== 'string') {
    throw new ModelsealError(
      'UNSUPPORTED_KEY',
      `${source}: encrypted cosign key lacks its scrypt salt or secretbox nonce`,
    );
  }
  const salt = Buffer.from(json.kdf.salt, 'base64');
  const nonce = Buffer.from(json.cipher.nonce, 'base64');
  if (nonce.length !== 24)
    throw new ModelsealError('UNSUPPORTED_KEY', `${source}: secretbox nonce must be 24 bytes`);
  const opened = tweetnacl().secretbox.open(
    new Uint8Array(Buffer.from(json.ciphertext, 'base64')),
    new Uint8Array(nonce),
    deriveKey(password, salt, params.N),
  );
  if (!opened)
    throw new ModelsealError('BAD_PASSWORD', `${source}: wrong password for the encrypted private key`);
  return Buffer.from(opened);
}
