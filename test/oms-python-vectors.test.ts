// Interop: every key and certificate signature made by the Python model_signing CLI verifies, and
// each one fails with the right code after tampering (byte flip, added file, removed file), with
// the wrong key and with the wrong trust anchor; a leaf the verifier pins as its anchor is accepted
// in both directions, as model_signing does. Vectors are copied to a temp dir first.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateSigner,
  certificateVerifier,
  keyVerifier,
  sign,
  verify,
  type BundleVerifier,
  type ModelsealError,
} from '../packages/core/src/index.js';
import { loadCertificates, loadPublicKey } from '../packages/core/src/keys.js';
import { makePki, type Pki } from './oms-test-pki.js';
import { VECTORS_DIR } from './shared-vectors.js';
import { verifiedOnDisk } from './sign-result-kind.js';

const VECTORS = path.join(VECTORS_DIR, 'oms-python');
const KEYS = path.join(VECTORS, 'keys/certificate');
const pub = () => loadPublicKey(readFileSync(path.join(KEYS, 'signing-key-pub.pem')), 'signing-key-pub.pem');
const anchors = () => loadCertificates(readFileSync(path.join(KEYS, 'ca-cert.pem')));

interface Vector {
  dir: string;
  kind: 'key' | 'certificate';
  /** model path relative to the vector folder ('' = the folder itself) */
  model: string;
  ignorePaths: string[];
  root: string;
  files: number;
}

const ROOT_TWO = '61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226';
const ROOT_KEY_DIR = '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4';
const ROOT_KEY_FILE = 'afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b';

const vectors: Vector[] = [
  // v0.2.0 records no root: this is SHA-256 over the two subjects' digests in file order (python3 hashlib).
  { dir: 'v0.2.0-certificate', kind: 'certificate', model: '', ignorePaths: [], root: ROOT_TWO, files: 2 },
  { dir: 'v0.3.1-certificate', kind: 'certificate', model: '', ignorePaths: [], root: ROOT_TWO, files: 2 },
  {
    dir: 'v0.3.1-elliptic-key',
    kind: 'key',
    model: 'signme-1',
    ignorePaths: [],
    root: ROOT_KEY_FILE,
    files: 1,
  },
  { dir: 'v1.0.0-certificate', kind: 'certificate', model: '', ignorePaths: [], root: ROOT_TWO, files: 2 },
  {
    dir: 'v1.0.0-elliptic-key',
    kind: 'key',
    model: 'signme-1',
    ignorePaths: [],
    root: ROOT_KEY_FILE,
    files: 1,
  },
  {
    dir: 'v1.0.1-certificate',
    kind: 'certificate',
    model: '',
    ignorePaths: ['ignore-me'],
    root: ROOT_TWO,
    files: 2,
  },
  {
    dir: 'v1.0.1-elliptic-key',
    kind: 'key',
    model: '',
    ignorePaths: ['ignore-me'],
    root: ROOT_KEY_DIR,
    files: 2,
  },
  {
    dir: 'v1.1.0-certificate',
    kind: 'certificate',
    model: '',
    ignorePaths: ['ignore-me'],
    root: ROOT_TWO,
    files: 2,
  },
  {
    dir: 'v1.1.0-elliptic-key',
    kind: 'key',
    model: '',
    ignorePaths: ['ignore-me'],
    root: ROOT_KEY_DIR,
    files: 2,
  },
];

const tmp = mkdtempSync(path.join(tmpdir(), 'oms-vectors-'));
let pki: Pki;
beforeAll(() => {
  pki = makePki(path.join(tmp, 'pki'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A private copy of a vector folder; returns model path and signature path. */
function copy(v: Vector): { model: string; sig: string; dir: string } {
  const dir = path.join(tmp, `${n++}`, v.dir);
  cpSync(path.join(VECTORS, v.dir), dir, { recursive: true });
  return { dir, model: path.join(dir, v.model), sig: path.join(dir, 'model.sig') };
}

function verifierFor(v: Vector): BundleVerifier {
  return v.kind === 'key'
    ? keyVerifier({ publicKey: pub() })
    : certificateVerifier({ trustAnchors: anchors() });
}

async function failure(p: Promise<unknown>): Promise<ModelsealError> {
  try {
    await p;
  } catch (e) {
    return e as ModelsealError;
  }
  throw new Error('expected verification to fail');
}

describe.each(vectors)('$dir', (v) => {
  const signed = v.model === '' ? 'signme-1' : v.model; // a file the signature covers
  const opts = (sig: string, verifier = verifierFor(v)) => ({
    verifier,
    signaturePath: sig,
    ignorePaths: v.ignorePaths,
    jobs: 1,
  });

  it('verifies', async () => {
    const { model, sig } = copy(v);
    const r = verifiedOnDisk(await verify(model, opts(sig)));
    expect(r.verified).toBe(true);
    expect(r.files).toBe(v.files);
    expect(r.signer.kind).toBe(v.kind);
    expect(r.manifest.root).toBe(v.root);
    expect(r.manifest.legacy).toBe(v.dir.startsWith('v0.2.0'));
    if (v.kind === 'key')
      expect(r.signer).toEqual({
        kind: 'key',
        keyHint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
      });
    else
      expect(r.signer).toMatchObject({
        kind: 'certificate',
        subject: 'CN=intermediate-ca',
        issuer: 'CN=intermediate-ca',
      });
  });

  it('fails with TAMPERED_FILE after flipping one byte', async () => {
    const { dir, model, sig } = copy(v);
    const file = path.join(dir, signed);
    const bytes = readFileSync(file);
    bytes[0] ^= 0x01;
    writeFileSync(file, bytes);
    const e = await failure(verify(model, opts(sig)));
    expect(e.code).toBe('TAMPERED_FILE');
    expect(e.message).toContain(
      `model file '${v.model ? '.' : 'signme-1'}' does not match the signature (expected sha256:`,
    );
  });

  if (v.model !== '') {
    it('single-file model: a sibling file is not part of it; removing the model file is NOT_FOUND', async () => {
      const { dir, model, sig } = copy(v);
      writeFileSync(path.join(dir, 'added.bin'), 'extra');
      expect(verifiedOnDisk(await verify(model, opts(sig))).files).toBe(1);
      unlinkSync(model);
      const e = await failure(verify(model, opts(sig)));
      expect(e.code).toBe('NOT_FOUND');
    });
  } else {
    it('fails with EXTRA_FILE after adding a file, unless unsigned files are ignored', async () => {
      const { dir, model, sig } = copy(v);
      writeFileSync(path.join(dir, 'added.bin'), 'extra');
      const e = await failure(verify(model, opts(sig)));
      expect(e.code).toBe('EXTRA_FILE');
      expect(e.message).toBe(`model file 'added.bin' is not in the signature`);
      const ok = verifiedOnDisk(await verify(model, { ...opts(sig), ignoreUnsignedFiles: true }));
      expect(ok.files).toBe(v.files);
    });

    it('fails with MISSING_FILE after removing a file', async () => {
      // Python cannot detect a removed file for v0.2.0 signatures. We can: every signed file is a
      // subject of the legacy statement, so v0.2.0 fails closed here like the newer formats.
      const { dir, model, sig } = copy(v);
      unlinkSync(path.join(dir, 'signme-2'));
      const e = await failure(verify(model, opts(sig)));
      expect(e.code).toBe('MISSING_FILE');
      expect(e.message).toBe(`model file 'signme-2' is signed but missing`);
    });
  }

  it('fails with the wrong key or the wrong trust anchor', async () => {
    const { model, sig } = copy(v);
    if (v.kind === 'key') {
      const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey;
      const e = await failure(verify(model, opts(sig, keyVerifier({ publicKey: other }))));
      expect(e.code).toBe('WRONG_KEY');
    } else {
      const e = await failure(
        verify(model, opts(sig, certificateVerifier({ trustAnchors: [pki.otherRoot.cert, pki.root.cert] }))),
      );
      expect(e.code).toBe('UNTRUSTED_CHAIN');
      expect(e.message).toContain(
        `certificate 'intermediate-ca' (issuer 'CN=intermediate-ca') does not chain to any trust anchor`,
      );
    }
  });
});

describe('a pinned signing certificate: the verifier names the leaf itself as its trust anchor', () => {
  const leafPem = () => loadCertificates(readFileSync(path.join(KEYS, 'signing-key-cert.pem')));
  const v = vectors.find((x) => x.dir === 'v1.1.0-certificate') as Vector;
  /** Verifies the copied vector with the signing certificate itself as the only trust anchor. */
  const verifyPinned = async (model: string, sig: string) =>
    verifiedOnDisk(
      await verify(model, {
        verifier: certificateVerifier({ trustAnchors: leafPem() }),
        signaturePath: sig,
        ignorePaths: v.ignorePaths,
        jobs: 1,
      }),
    );

  it('model_signing -> modelseal: the v1.1.0 bundle verifies with signing-key-cert.pem as the only anchor', async () => {
    const { model, sig } = copy(v);
    const r = await verifyPinned(model, sig);
    expect(r.manifest.root).toBe(ROOT_TWO);
    expect(r.signer).toMatchObject({
      kind: 'certificate',
      fingerprint:
        'DA:36:62:B6:30:EB:0F:58:5C:33:F1:14:A0:76:B8:DA:2C:ED:A0:F2:75:CB:57:8E:6D:1D:9C:AB:84:C0:4D:3B',
      anchor:
        'DA:36:62:B6:30:EB:0F:58:5C:33:F1:14:A0:76:B8:DA:2C:ED:A0:F2:75:CB:57:8E:6D:1D:9C:AB:84:C0:4D:3B',
    });
  });

  it('modelseal -> model_signing: a self-signed certificate signs; the bundle carries it alone, and it verifies pinned (and by openssl -partial_chain)', async () => {
    const key = readFileSync(path.join(KEYS, 'signing-key.pem'));
    const { model, sig } = copy(v);
    const { bundle } = await sign(model, {
      signer: certificateSigner({ privateKey: createPrivateKey(key), certificate: leafPem()[0] }),
      signaturePath: sig,
      overwrite: true,
      ignorePaths: v.ignorePaths,
      jobs: 1,
    });
    const chain = (bundle.verificationMaterial as { x509CertificateChain: { certificates: unknown[] } })
      .x509CertificateChain.certificates;
    expect(chain).toEqual([{ rawBytes: leafPem()[0].raw.toString('base64') }]);
    const r = await verifyPinned(model, sig);
    expect(r.manifest.root).toBe(ROOT_TWO);
    const pem = path.join(KEYS, 'signing-key-cert.pem');
    const out = execFileSync('openssl', ['verify', '-partial_chain', '-trusted', pem, pem], {
      encoding: 'utf8',
    });
    expect(out).toBe(`${pem}: OK\n`);
    // The root CA alone is not enough for this certificate: it is self-issued, not issued by root-ca.
    const e = await failure(
      verify(model, {
        verifier: certificateVerifier({ trustAnchors: [pki.otherRoot.cert] }),
        signaturePath: sig,
        ignorePaths: v.ignorePaths,
        jobs: 1,
      }),
    );
    expect(e.code).toBe('UNTRUSTED_CHAIN');
  });
});
