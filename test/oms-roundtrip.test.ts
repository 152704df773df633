// Sign -> verify round trips with every supported key type, cosign encrypted keys, and certificate
// chains made with openssl (RSA root -> EC intermediate -> EC leaf), plus the failure paths:
// wrong key, tampered bundle, expired leaf, leaf without signing usage, untrusted chain.
import { execFileSync } from 'node:child_process';
import { createHash, sign as cryptoSign, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateSigner,
  certificateVerifier,
  generateKeyPair,
  keySigner,
  keyVerifier,
  sign,
  verify,
  type BundleSigner,
  type BundleVerifier,
  type KeyAlgorithm,
  type ModelsealError,
} from '../packages/core/src/index.js';
import { dsseBundle, preAuthEncoding, serializeBundle } from '../packages/core/src/oms.js';
import {
  encryptCosignKey,
  loadPrivateKey,
  loadPrivateKeyFile,
  loadPublicKeyFile,
  newKeyPair,
} from '../packages/core/src/keys.js';
import { makePki, type Pki } from './oms-test-pki.js';
import { VECTORS_DIR } from './shared-vectors.js';
import { signedOnDisk, verifiedOnDisk } from './sign-result-kind.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'oms-roundtrip-'));
let pki: Pki;
beforeAll(() => {
  pki = makePki(path.join(tmp, 'pki'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh small model: a.bin, sub/b.txt, empty.txt. */
/** model()'s root: SHA-256 over the digests of a.bin, empty.txt, sub/b.txt (python3 hashlib). */
const MODEL_ROOT = '82d29872fc259752692ba0019dd2471829de8a5c6e2e13df455589887599acc8';

function model(): string {
  const dir = path.join(tmp, `m${n++}`, 'model');
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'a.bin'), Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251)));
  writeFileSync(path.join(dir, 'sub/b.txt'), 'weights v1\n');
  writeFileSync(path.join(dir, 'empty.txt'), '');
  return dir;
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<ModelsealError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as ModelsealError;
  }
  throw new Error('expected a failure');
}

async function roundTrip(
  signer: BundleSigner,
  verifier: BundleVerifier,
  extra: Parameters<typeof sign>[1] extends infer O ? Partial<O> : never = {},
) {
  const dir = model();
  const signed = signedOnDisk(await sign(dir, { signer, jobs: 1, ...extra }));
  const verified = verifiedOnDisk(await verify(dir, { verifier, jobs: 1 }));
  return { dir, signed, verified };
}

describe.each<KeyAlgorithm>(['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519'])('key pair %s', (alg) => {
  it('round-trips and fails on tamper and on the wrong key', async () => {
    const { privateKey, publicKey } = newKeyPair(alg);
    const { dir, signed, verified } = await roundTrip(keySigner({ privateKey }), keyVerifier({ publicKey }));
    expect(signed.signaturePath).toBe(path.join(dir, 'model.sig'));
    expect(signed.manifest.ignorePaths).toEqual([
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'model.sig',
    ]);
    expect(signed.manifest.root).toBe(MODEL_ROOT);
    expect(verified.manifest.root).toBe(MODEL_ROOT);
    expect(verified.files).toBe(3);
    expect(verified.warnings).toEqual([]);

    const other = newKeyPair(alg).publicKey;
    expect((await failure(verify(dir, { verifier: keyVerifier({ publicKey: other }) }))).code).toBe(
      'WRONG_KEY',
    );

    writeFileSync(path.join(dir, 'sub/b.txt'), 'weights v2\n');
    const e = await failure(verify(dir, { verifier: keyVerifier({ publicKey }) }));
    expect(e.code).toBe('TAMPERED_FILE');
    expect(e.message).toMatch(
      /^model file 'sub\/b\.txt' does not match the signature \(expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}\)$/,
    );
  });
});

describe('bundle tampering', () => {
  it('a modified statement with the original signature is BAD_SIGNATURE', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p256');
    const { dir, signed } = await roundTrip(keySigner({ privateKey }), keyVerifier({ publicKey }));
    const bundle = JSON.parse(readFileSync(signed.signaturePath, 'utf8'));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    statement.predicate.resources[0].digest = '00'.repeat(32);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    writeFileSync(signed.signaturePath, JSON.stringify(bundle));
    const e = await failure(verify(dir, { verifier: keyVerifier({ publicKey }) }));
    expect(e.code).toBe('BAD_SIGNATURE');
    expect(e.message).toContain(
      'the signature does not verify with the signing key; the bundle was modified',
    );
  });

  it('a key bundle checked against trust anchors is UNTRUSTED_CHAIN, a certificate bundle checked with a key is WRONG_KEY', async () => {
    const { privateKey } = newKeyPair('ecdsa-p256');
    const dir = model();
    await sign(dir, { signer: keySigner({ privateKey }) });
    const e = await failure(
      verify(dir, { verifier: certificateVerifier({ trustAnchors: [pki.root.cert] }) }),
    );
    expect(e.code).toBe('UNTRUSTED_CHAIN');
    expect(e.message).toContain('signed with a bare key, not a certificate');
    expect(e.remedy).toEqual({ option: 'publicKey', action: 'set', to: 'verify it with the key' });
    const dir2 = model();
    await sign(dir2, {
      signer: certificateSigner({
        privateKey: pki.leaf.key,
        certificate: pki.leaf.cert,
        chain: [pki.intermediate.cert],
      }),
    });
    const e2 = await failure(verify(dir2, { verifier: keyVerifier({ publicKey: pki.leaf.cert.publicKey }) }));
    expect(e2.code).toBe('WRONG_KEY');
  });
});

describe('hashing settings come from the signature', () => {
  it('shards + blake2b round-trip, and a resized file is reported', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p256');
    const { dir, verified } = await roundTrip(keySigner({ privateKey }), keyVerifier({ publicKey }), {
      method: 'shards',
      shardSize: 128,
      hashType: 'blake2b',
    });
    expect(verified.manifest.config).toEqual({ method: 'shards', hashType: 'blake2b', shardSize: 128 });
    expect(verified.manifest.resources.map((r) => r.name)).toEqual([
      'a.bin:0:128',
      'a.bin:128:256',
      'a.bin:256:300',
      'empty.txt:0:0',
      'sub/b.txt:0:11',
    ]);
    writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(300, 7));
    const e = await failure(verify(dir, { verifier: keyVerifier({ publicKey }) }));
    expect(e.code).toBe('TAMPERED_FILE');
    const got = createHash('blake2b512').update(Buffer.alloc(128, 7)).digest('hex');
    expect(e.message).toBe(
      `model file 'a.bin' does not match the signature (shard 'a.bin:0:128': expected blake2b:${verified.manifest.resources[0].digest}, got blake2b:${got})`,
    );
  });

  it('a single file signs to MODEL.sig and verifies; --ignore-unsigned-files only hashes signed files', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p384');
    const dir = model();
    const file = path.join(dir, 'a.bin');
    const r = signedOnDisk(await sign(file, { signer: keySigner({ privateKey }) }));
    expect(r.signaturePath).toBe(`${file}.sig`);
    expect(r.manifest.resources.map((x) => x.name)).toEqual(['.']);
    expect(verifiedOnDisk(await verify(file, { verifier: keyVerifier({ publicKey }) })).files).toBe(1);

    await sign(dir, { signer: keySigner({ privateKey }), ignorePaths: ['a.bin.sig'] });
    writeFileSync(path.join(dir, 'new.bin'), 'unsigned');
    expect((await failure(verify(dir, { verifier: keyVerifier({ publicKey }) }))).code).toBe('EXTRA_FILE');
    expect(
      verifiedOnDisk(await verify(dir, { verifier: keyVerifier({ publicKey }), ignoreUnsignedFiles: true }))
        .files,
    ).toBe(3);
  });

  it('--ignore-unsigned-files passes over unsigned symlinks, FIFOs and directories, but a signed file replaced by a symlink still fails', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p256');
    const dir = model();
    await sign(dir, { signer: keySigner({ privateKey }) });
    const verifier = keyVerifier({ publicKey });
    symlinkSync(path.join(dir, 'a.bin'), path.join(dir, 'link.bin'));
    execFileSync('mkfifo', [path.join(dir, 'sub', 'pipe')]);
    mkdirSync(path.join(dir, 'unsigned-dir'));
    symlinkSync('/etc/passwd', path.join(dir, 'unsigned-dir', 'passwd'));
    expect((await failure(verify(dir, { verifier }))).code).toBe('SYMLINK');
    expect(verifiedOnDisk(await verify(dir, { verifier, ignoreUnsignedFiles: true })).files).toBe(3);

    rmSync(path.join(dir, 'sub', 'b.txt'));
    symlinkSync(path.join(dir, 'a.bin'), path.join(dir, 'sub', 'b.txt'));
    const e = await failure(verify(dir, { verifier, ignoreUnsignedFiles: true }));
    expect(e.code).toBe('SYMLINK');
    expect(e.message).toBe("cannot use 'sub/b.txt': it is a symlink");
  });

  it('a single-file signature naming the file by its basename (spec style) verifies too', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p256');
    const file = path.join(model(), 'a.bin');
    const r = signedOnDisk(await sign(file, { signer: keySigner({ privateKey }) }));
    const statement = JSON.parse(
      Buffer.from((r.bundle.dsseEnvelope as { payload: string }).payload, 'base64').toString(),
    );
    expect(statement.predicate.resources[0].name).toBe('.');
    statement.predicate.resources[0].name = 'a.bin';
    const bundle = await keySigner({ privateKey }).signStatement(
      Buffer.from(JSON.stringify(statement)),
      'application/vnd.in-toto+json',
    );
    writeFileSync(r.signaturePath, serializeBundle(bundle));
    expect(verifiedOnDisk(await verify(file, { verifier: keyVerifier({ publicKey }) })).files).toBe(1);
    writeFileSync(file, 'changed');
    expect((await failure(verify(file, { verifier: keyVerifier({ publicKey }) }))).code).toBe(
      'TAMPERED_FILE',
    );
  });

  it('a model whose files were all deleted is MISSING_FILE, not bad input', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p256');
    const dir = model();
    await sign(dir, { signer: keySigner({ privateKey }), signaturePath: `${dir}.sig` });
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    const e = await failure(
      verify(dir, { verifier: keyVerifier({ publicKey }), signaturePath: `${dir}.sig` }),
    );
    expect(e.code).toBe('MISSING_FILE');
    expect(e.message).toBe("3 signed model files are missing: 'a.bin', 'empty.txt', 'sub/b.txt'");
  });

  it('a symlink in a model signed without allow_symlinks fails closed', async () => {
    const { privateKey, publicKey } = newKeyPair('ecdsa-p256');
    const { dir } = await roundTrip(keySigner({ privateKey }), keyVerifier({ publicKey }));
    symlinkSync(path.join(dir, 'a.bin'), path.join(dir, 'link.bin'));
    expect((await failure(verify(dir, { verifier: keyVerifier({ publicKey }) }))).code).toBe('SYMLINK');
  });
});

describe('cosign key files', () => {
  it('keygen writes an encrypted cosign key (N=65536) that loads with the password only', async () => {
    const prefix = path.join(tmp, 'cosign-test');
    const out = await generateKeyPair({ outputPrefix: prefix, password: 'correct horse' });
    const text = readFileSync(out.privateKeyPath, 'utf8');
    expect(text.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n')).toBe(true);
    const body = JSON.parse(Buffer.from(text.split('\n').slice(1, -2).join(''), 'base64').toString());
    expect(body.kdf).toMatchObject({ name: 'scrypt', params: { N: 65536, r: 8, p: 1 } });
    expect(Buffer.from(body.kdf.salt, 'base64')).toHaveLength(32);
    expect(body.cipher.name).toBe('nacl/secretbox');
    expect(Buffer.from(body.cipher.nonce, 'base64')).toHaveLength(24);

    const key = await loadPrivateKeyFile(out.privateKeyPath, { password: 'correct horse' });
    const pub = await loadPublicKeyFile(out.publicKeyPath);
    const { verified } = await roundTrip(keySigner({ privateKey: key }), keyVerifier({ publicKey: pub }));
    expect(verified.verified).toBe(true);

    const bad = await failure(loadPrivateKeyFile(out.privateKeyPath, { password: 'wrong' }));
    expect(bad.code).toBe('BAD_PASSWORD');
    expect(bad.message).toBe(`${out.privateKeyPath}: wrong password for the encrypted private key`);
    expect(bad.message).not.toContain('wrong horse');

    const saved = process.env.COSIGN_PASSWORD;
    delete process.env.COSIGN_PASSWORD;
    try {
      expect((await failure(loadPrivateKeyFile(out.privateKeyPath))).message).toContain(
        'is encrypted: set COSIGN_PASSWORD',
      );
      process.env.COSIGN_PASSWORD = 'correct horse';
      expect((await loadPrivateKeyFile(out.privateKeyPath)).asymmetricKeyDetails?.namedCurve).toBe(
        'prime256v1',
      );
    } finally {
      if (saved === undefined) delete process.env.COSIGN_PASSWORD;
      else process.env.COSIGN_PASSWORD = saved;
    }
    expect((await failure(generateKeyPair({ outputPrefix: prefix, password: 'x' }))).code).toBe(
      'DEST_EXISTS',
    );
  });

  it('decrypts a key encrypted with N=32768 and the legacy COSIGN label; refuses other scrypt costs', async () => {
    const { privateKey } = newKeyPair('ecdsa-p256');
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    const pem = encryptCosignKey(der, 'hello', 32768);
    const loaded = await loadPrivateKey(pem, { password: 'hello' });
    expect(loaded.export({ type: 'pkcs8', format: 'der' })).toEqual(der);
    const legacy = pem.replace(/SIGSTORE/g, 'COSIGN');
    expect(
      (await loadPrivateKey(legacy, { password: 'hello' })).export({ type: 'pkcs8', format: 'der' }),
    ).toEqual(der);

    const body = JSON.parse(Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64').toString());
    body.kdf.params.N = 1 << 20;
    const huge = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(body)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
    const e = await failure(loadPrivateKey(huge, { password: 'hello', source: 'huge.key' }));
    expect(e.code).toBe('UNSUPPORTED_KEY');
    expect(e.message).toBe(
      'huge.key: unsupported scrypt parameters N=1048576 r=8 p=1 (cosign uses N 32768/65536/131072, r=8, p=1)',
    );
  });

  it('an encrypted cosign key whose salt or nonce is not a string is UNSUPPORTED_KEY, not an internal error', async () => {
    const { privateKey } = newKeyPair('ecdsa-p256');
    const pem = encryptCosignKey(privateKey.export({ type: 'pkcs8', format: 'der' }), 'hello', 32768);
    for (const spoil of [
      (b: { kdf: { salt: unknown } }) => (b.kdf.salt = 5),
      (b: { cipher: { nonce: unknown } }) => delete b.cipher.nonce,
    ]) {
      const body = JSON.parse(Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64').toString());
      spoil(body);
      const bad = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(body)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
      const e = await failure(loadPrivateKey(bad, { password: 'hello', source: 'bad.key' }));
      expect(e.code).toBe('UNSUPPORTED_KEY');
      expect(e.message).toBe('bad.key: encrypted cosign key lacks its scrypt salt or secretbox nonce');
    }
  });

  it('plain keys: --no-encrypt PKCS#8, SEC1 with a certtool preamble, encrypted PKCS#8; RSA is refused', async () => {
    const out = await generateKeyPair({
      outputPrefix: path.join(tmp, 'plain'),
      encrypt: false,
      algorithm: 'ecdsa-p521',
    });
    expect(readFileSync(out.privateKeyPath, 'utf8').startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect((await loadPrivateKeyFile(out.privateKeyPath)).asymmetricKeyDetails?.namedCurve).toBe('secp521r1');

    const vectorKey = path.join(VECTORS_DIR, 'oms-python/keys/certificate/signing-key.pem');
    expect((await loadPrivateKeyFile(vectorKey)).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');

    const { privateKey } = newKeyPair('ecdsa-p256');
    const enc = privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    expect((await loadPrivateKey(enc, { password: 'pw' })).asymmetricKeyType).toBe('ec');
    expect((await failure(loadPrivateKey(enc, { password: 'nope' }))).code).toBe('BAD_PASSWORD');

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const e = await failure(loadPrivateKey(rsa, { source: 'rsa.pem' }));
    expect(e.code).toBe('UNSUPPORTED_KEY');
    expect(e.message).toBe('rsa.pem: RSA keys are not supported (use EC P-256, P-384, P-521 or Ed25519)');
    expect((await failure(loadPrivateKey('not a key', { source: 'x.pem' }))).message).toBe(
      'x.pem: no PEM private key found',
    );
  });
});

describe('certificate mode with an openssl-made chain', () => {
  const signer = () =>
    certificateSigner({
      privateKey: pki.leaf.key,
      certificate: pki.leaf.cert,
      chain: [pki.intermediate.cert],
    });

  it('root -> intermediate -> leaf verifies against the RSA root, or the intermediate as anchor', async () => {
    const { dir, signed, verified } = await roundTrip(
      signer(),
      certificateVerifier({ trustAnchors: [pki.root.cert] }),
    );
    expect(verified.signer).toEqual({
      kind: 'certificate',
      subject: 'CN=test-leaf',
      issuer: 'CN=test-intermediate',
      fingerprint: pki.leaf.cert.fingerprint256,
      anchor: pki.root.cert.fingerprint256,
    });
    const vm = (
      signed.bundle.verificationMaterial as { x509CertificateChain: { certificates: { rawBytes: string }[] } }
    ).x509CertificateChain;
    expect(vm.certificates.map((c) => c.rawBytes)).toEqual([
      pki.leaf.cert.raw.toString('base64'),
      pki.intermediate.cert.raw.toString('base64'),
    ]);
    expect(
      verifiedOnDisk(
        await verify(dir, { verifier: certificateVerifier({ trustAnchors: [pki.intermediate.cert] }) }),
      ).verified,
    ).toBe(true);
    const e = await failure(
      verify(dir, { verifier: certificateVerifier({ trustAnchors: [pki.otherRoot.cert] }) }),
    );
    expect(e.code).toBe('UNTRUSTED_CHAIN');
    expect(e.message).toContain(
      "certificate 'test-leaf' (issuer 'CN=test-intermediate') does not chain to any trust anchor",
    );
  });

  it('without the intermediate in the bundle, the root alone cannot be reached', async () => {
    const dir = model();
    await sign(dir, {
      signer: certificateSigner({ privateKey: pki.leaf.key, certificate: pki.leaf.cert }),
    });
    expect(
      (await failure(verify(dir, { verifier: certificateVerifier({ trustAnchors: [pki.root.cert] }) }))).code,
    ).toBe('UNTRUSTED_CHAIN');
    expect(
      verifiedOnDisk(
        await verify(dir, {
          verifier: certificateVerifier({ trustAnchors: [pki.root.cert, pki.intermediate.cert] }),
        }),
      ).verified,
    ).toBe(true);
  });

  it('a leaf with only EKU codeSigning (no KeyUsage) may sign', async () => {
    const { verified } = await roundTrip(
      certificateSigner({
        privateKey: pki.leafEkuOnly.key,
        certificate: pki.leafEkuOnly.cert,
        chain: [pki.intermediate.cert],
      }),
      certificateVerifier({ trustAnchors: [pki.root.cert] }),
    );
    expect(verified.signer).toMatchObject({ subject: 'CN=test-leaf-eku-only' });
  });

  it('a root with pathlen:0 cannot anchor a chain through an intermediate', async () => {
    const { pathLen } = pki;
    const dir = model();
    await sign(dir, {
      signer: certificateSigner({
        privateKey: pathLen.leaf.key,
        certificate: pathLen.leaf.cert,
        chain: [pathLen.intermediate.cert],
      }),
    });
    const e = await failure(
      verify(dir, { verifier: certificateVerifier({ trustAnchors: [pathLen.root.cert] }) }),
    );
    expect(e.code).toBe('UNTRUSTED_CHAIN');
    // Trusting the intermediate directly is fine.
    expect(
      verifiedOnDisk(
        await verify(dir, {
          verifier: certificateVerifier({ trustAnchors: [pathLen.intermediate.cert] }),
        }),
      ).verified,
    ).toBe(true);
  });

  it('refuses a key that does not match the certificate', () => {
    const other = newKeyPair('ecdsa-p256').privateKey;
    expect(() => certificateSigner({ privateKey: other, certificate: pki.leaf.cert })).toThrow(
      /does not match the public key of certificate 'test-leaf'/,
    );
  });

  it('expired leaf: refused when signing now; a signature made while valid verifies at notBefore (with a warning) but not with validityTime now', async () => {
    const e = await failure(() =>
      certificateSigner({ privateKey: pki.leafExpired.key, certificate: pki.leafExpired.cert }),
    );
    expect(e.code).toBe('CERTIFICATE_EXPIRED');
    expect(e.message).toContain("certificate 'test-leaf-expired' is not valid now");
    const then = new Date('2019-06-01T00:00:00Z');
    const dir = model();
    await sign(dir, {
      signer: certificateSigner({
        privateKey: pki.leafExpired.key,
        certificate: pki.leafExpired.cert,
        chain: [pki.intermediate.cert],
        now: then,
      }),
    });
    const ok = verifiedOnDisk(
      await verify(dir, { verifier: certificateVerifier({ trustAnchors: [pki.root.cert] }) }),
    );
    expect(ok.warnings).toEqual([
      "certificate 'test-leaf-expired' is expired or not yet valid now (valid Jan  1 00:00:00 2019 GMT to Jan  1 00:00:00 2020 GMT); accepted because validity is checked at the leaf's notBefore, like model_signing",
    ]);
    const strict = await failure(
      verify(dir, {
        verifier: certificateVerifier({ trustAnchors: [pki.root.cert], validityTime: 'now' }),
      }),
    );
    expect(strict.code).toBe('CERTIFICATE_EXPIRED');
    expect(strict.message).toContain("certificate 'test-leaf-expired' is not valid at");
  });

  it('leaf without digitalSignature / codeSigning: refused when signing and when verifying', async () => {
    const e = await failure(() =>
      certificateSigner({ privateKey: pki.leafNoUsage.key, certificate: pki.leafNoUsage.cert }),
    );
    expect(e.code).toBe('KEY_USAGE');
    // A bundle made by some other tool with that certificate:
    const dir = model();
    const { privateKey } = newKeyPair('ecdsa-p256');
    const r = signedOnDisk(await sign(dir, { signer: keySigner({ privateKey }) }));
    const payload = Buffer.from((r.bundle.dsseEnvelope as { payload: string }).payload, 'base64');
    const sig = cryptoSign(
      'sha256',
      preAuthEncoding('application/vnd.in-toto+json', payload),
      pki.leafNoUsage.key,
    );
    const bundle = dsseBundle(
      { kind: 'certificateChain', certificatesDer: [pki.leafNoUsage.cert.raw, pki.intermediate.cert.raw] },
      'application/vnd.in-toto+json',
      payload,
      sig,
    );
    writeFileSync(r.signaturePath, serializeBundle(bundle));
    const v = await failure(
      verify(dir, { verifier: certificateVerifier({ trustAnchors: [pki.root.cert] }) }),
    );
    expect(v.code).toBe('KEY_USAGE');
    expect(v.message).toContain(
      "certificate 'test-leaf-no-usage' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, without codeSigning",
    );
  });
});
