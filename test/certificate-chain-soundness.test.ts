// RFC 5280 path validation in certificate mode, end to end through the CLI process: chains a
// red-team pass got accepted with `verify --certificate-chain ANCHOR` (an unpinned self-signed leaf, serverAuth-only
// EKUs, unknown critical extensions, name constraints, a same-name forged root) now exit 1; expired
// certificates are named one by one; an empty-subject leaf is handled, not a crash. The bundles
// are made with openssl certificates: one signed by the CLI, the rest re-signed by each test leaf.
import { createHash, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preAuthEncoding } from '../packages/core/src/oms/dsse.js';
import { runCli } from './cli-process.js';
import { modelDirs } from './model-dirs.js';
import { pkiIssuer, type IssueCert, type Issued } from './oms-test-pki.js';

const EXTRA = `
[leaf_serverauth_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[leaf_critical_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
1.2.3.4.5 = critical, ASN1:NULL
[ca_critical_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
1.2.3.4.5 = critical, ASN1:NULL
[ca_serverauth_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = serverAuth
[ca_dns_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;DNS:models.example.test
[ca_dir_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;dirName:nc_dir
[nc_dir]
O = Good Org
[leaf_dns_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:evil.test
[leaf_dns_ok_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:signer.models.example.test
[leaf_self_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
[leaf_self_serverauth_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = serverAuth
[ca_noaki_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[leaf_empty_subject_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = critical, email:signer@example.test
`;

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-chain-soundness-'));
const dirs = modelDirs('ms-chain-models-');
let issue: IssueCert;
let root: Issued;
let intermediate: Issued;
let model: string;
let signed: Record<string, unknown>;
let n = 0;

beforeAll(() => {
  issue = pkiIssuer(path.join(tmp, 'pki'), EXTRA);
  root = issue('test-root', 'rsa', 'ca_ext', null);
  intermediate = issue('test-intermediate', 'p384', 'ca_ext', root);
  const leaf = issue('test-leaf', 'p256', 'leaf_ext', intermediate);
  model = dirs.model({ 'w.bin': 'weights', 'config.json': '{}' });
  const s = runCli([
    'sign',
    model,
    '--key',
    leaf.keyPath,
    '--certificate',
    leaf.certPath,
    '--certificate-chain',
    intermediate.certPath,
  ]);
  expect(s.code).toBe(0);
  signed = JSON.parse(readFileSync(path.join(model, 'model.sig'), 'utf8'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  dirs.cleanup();
});

/** The CLI-signed bundle with its chain replaced by `chain` (leaf first), re-signed by the leaf's key. */
function bundleFrom(chain: Issued[]): string {
  const bundle = structuredClone(signed) as {
    verificationMaterial: { x509CertificateChain: { certificates: { rawBytes: string }[] } };
    dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
  };
  bundle.verificationMaterial.x509CertificateChain.certificates = chain.map((c) => ({
    rawBytes: c.cert.raw.toString('base64'),
  }));
  const env = bundle.dsseEnvelope;
  const pae = preAuthEncoding(env.payloadType, Buffer.from(env.payload, 'base64'));
  env.signatures[0].sig = sign('sha256', pae, chain[0].key).toString('base64');
  const file = path.join(tmp, `b${n++}.sig`);
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

const verify = (sig: string, anchor: Issued = root) =>
  runCli(['verify', model, '--signature', sig, '--certificate-chain', anchor.certPath]);

function expectError(r: { code: number | null; stderr: string }, code: string, message: string) {
  expect(r.stderr).toBe(`modelseal: error[${code}]: ${message}\n`);
  expect(r.code).toBe(1);
}

describe('certificate mode: RFC 5280 path validation (exit 1)', () => {
  it('control: a P-256 leaf re-signed the same way under the real chain verifies', () => {
    const leaf = issue('ok-leaf', 'p256', 'leaf_ext', intermediate);
    const r = verify(bundleFrom([leaf, intermediate]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a self-signed leaf the verifier names as its trust anchor verifies, pinned (model_signing, OpenSSL)', () => {
    const self = issue('self-leaf', 'p256', 'leaf_self_ext', null);
    const r = verify(bundleFrom([self]), self);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a self-signed leaf that is not among the anchors: exit 1 UNTRUSTED_CHAIN', () => {
    const self = issue('self-leaf-unpinned', 'p256', 'leaf_self_ext', null);
    const sig = bundleFrom([self]);
    expectError(
      verify(sig),
      'UNTRUSTED_CHAIN',
      `${sig}: certificate 'self-leaf-unpinned' (issuer 'CN=self-leaf-unpinned') does not chain to any trust anchor`,
    );
  });

  it('a pinned self-signed leaf is still checked for EKU: serverAuth only is KEY_USAGE', () => {
    const self = issue('self-serverauth', 'p256', 'leaf_self_serverauth_ext', null);
    const sig = bundleFrom([self]);
    expectError(
      verify(sig, self),
      'KEY_USAGE',
      `${sig}: certificate 'self-serverauth' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, without codeSigning`,
    );
  });

  it('a leaf whose EKU is serverAuth only (KeyUsage digitalSignature)', () => {
    const leaf = issue('serverauth-leaf', 'p256', 'leaf_serverauth_ext', intermediate);
    const sig = bundleFrom([leaf, intermediate]);
    expectError(
      verify(sig),
      'KEY_USAGE',
      `${sig}: certificate 'serverauth-leaf' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, without codeSigning`,
    );
  });

  it('an intermediate whose EKU excludes code signing', () => {
    const ca = issue('serverauth-ca', 'p256', 'ca_serverauth_ext', root);
    const sig = bundleFrom([issue('under-serverauth-ca', 'p256', 'leaf_ext', ca), ca]);
    expectError(
      verify(sig),
      'KEY_USAGE',
      `${sig}: certificate 'serverauth-ca' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, without codeSigning`,
    );
  });

  it('an unknown critical extension on the leaf, and on an intermediate', () => {
    const leaf = issue('critical-leaf', 'p256', 'leaf_critical_ext', intermediate);
    const sig = bundleFrom([leaf, intermediate]);
    expectError(
      verify(sig),
      'UNTRUSTED_CHAIN',
      `${sig}: certificate 'critical-leaf' has a critical extension modelseal does not understand (1.2.3.4.5)`,
    );
    const ca = issue('critical-ca', 'p256', 'ca_critical_ext', root);
    const sig2 = bundleFrom([issue('under-critical-ca', 'p256', 'leaf_ext', ca), ca]);
    expectError(
      verify(sig2),
      'UNTRUSTED_CHAIN',
      `${sig2}: certificate 'critical-ca' has a critical extension modelseal does not understand (1.2.3.4.5)`,
    );
  });

  it('a violated dNSName name constraint (and a satisfied one verifies)', () => {
    const ca = issue('dns-ca', 'p256', 'ca_dns_ext', root);
    const evil = bundleFrom([issue('dns-evil-leaf', 'p256', 'leaf_dns_ext', ca), ca]);
    expectError(
      verify(evil),
      'UNTRUSTED_CHAIN',
      `${evil}: certificate 'dns-evil-leaf' violates the name constraints of certificate 'dns-ca': dNSName "evil.test" is outside the permitted dNSName subtrees`,
    );
    const ok = bundleFrom([issue('dns-ok-leaf', 'p256', 'leaf_dns_ok_ext', ca), ca]);
    expect(verify(ok).code).toBe(0);
  });

  it('a violated directoryName name constraint', () => {
    const ca = issue('dir-ca', 'p256', 'ca_dir_ext', root, undefined, undefined, '/O=Good Org/CN=dir-ca');
    const evil = bundleFrom([
      issue('dir-evil-leaf', 'p256', 'leaf_ext', ca, undefined, undefined, '/O=Evil Org/CN=dir-evil-leaf'),
      ca,
    ]);
    expectError(
      verify(evil),
      'UNTRUSTED_CHAIN',
      `${evil}: certificate 'dir-evil-leaf' violates the name constraints of certificate 'dir-ca': directoryName (2 RDNs) is outside the permitted directoryName subtrees`,
    );
    const ok = bundleFrom([
      issue('dir-ok-leaf', 'p256', 'leaf_ext', ca, undefined, undefined, '/O=Good Org/CN=dir-ok-leaf'),
      ca,
    ]);
    expect(verify(ok).code).toBe(0);
  });

  it('a forged root with the same subject (CN=test-root), the same key type and no AKI below it', () => {
    const forgedRoot = issue(
      'forged-root',
      'rsa',
      'ca_noaki_ext',
      null,
      undefined,
      undefined,
      '/CN=test-root',
    );
    const forgedCa = issue(
      'forged-intermediate',
      'p384',
      'ca_noaki_ext',
      forgedRoot,
      undefined,
      undefined,
      '/CN=test-intermediate',
    );
    const leaf = issue('forged-leaf', 'p256', 'leaf_ext', forgedCa);
    const sig = bundleFrom([leaf, forgedCa, forgedRoot]);
    expectError(
      verify(sig),
      'UNTRUSTED_CHAIN',
      `${sig}: certificate 'forged-leaf' (issuer 'CN=test-intermediate') does not chain to any trust anchor`,
    );
  });
});

describe('certificate mode: the signature itself is checked', () => {
  it('swapped weights and a rewritten statement under the original signature: exit 1 BAD_SIGNATURE', () => {
    const dir = dirs.model({ 'w.bin': 'EVIL weights', 'config.json': '{}' });
    const bundle = structuredClone(signed) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    const res = statement.predicate.resources as { name: string; digest: string }[];
    // python3 -c "import hashlib; print(hashlib.sha256(b'EVIL weights').hexdigest())"
    res.find((r) => r.name === 'w.bin')!.digest =
      '6e265497ff4f7873577d512bd48fbf93133b1f1fb7ce6dfcab651e6508133b14';
    statement.subject[0].digest.sha256 = createHash('sha256')
      .update(Buffer.concat(res.map((r) => Buffer.from(r.digest, 'hex'))))
      .digest('hex');
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const sig = path.join(tmp, 'rewritten.sig');
    writeFileSync(sig, JSON.stringify(bundle));
    const r = runCli(['verify', dir, '--signature', sig, '--certificate-chain', root.certPath]);
    expectError(
      r,
      'BAD_SIGNATURE',
      `${sig}: the signature does not verify with certificate 'test-leaf'; the bundle was modified`,
    );
  });
});

describe('certificate mode: validity at the leaf notBefore, every expired certificate named', () => {
  it('an intermediate and a leaf that have both expired by now verify at the leaf notBefore, with one warning each', () => {
    const ca = issue('expired-ca', 'p384', 'ca_ext', root, '20190101000000Z', '20210101000000Z');
    const leaf = issue('expired-leaf', 'p256', 'leaf_ext', ca, '20190601000000Z', '20200101000000Z');
    const r = verify(bundleFrom([leaf, ca]));
    expect(r.stderr).toBe(
      "modelseal: warning: certificate 'expired-leaf' is expired or not yet valid now (valid Jun  1 00:00:00 2019 GMT to Jan  1 00:00:00 2020 GMT); accepted because validity is checked at the leaf's notBefore, like model_signing\n" +
        "modelseal: warning: certificate 'expired-ca' is expired or not yet valid now (valid Jan  1 00:00:00 2019 GMT to Jan  1 00:00:00 2021 GMT); accepted because validity is checked at the leaf's notBefore, like model_signing\n",
    );
    expect(r.code).toBe(0);
  });

  it('verify --help states the validity time', () => {
    const r = runCli(['verify', '--help']);
    expect(r.stdout).toContain("Certificate chains are checked at the leaf certificate's notBefore");
    expect(r.code).toBe(0);
  });
});

describe('certificate mode: an empty-subject leaf', () => {
  it('verifies when its chain is valid, named by its fingerprint, without an INTERNAL crash', () => {
    const leaf = issue(
      'empty-subject-leaf',
      'p256',
      'leaf_empty_subject_ext',
      intermediate,
      undefined,
      undefined,
      '/',
    );
    const r = runCli([
      'verify',
      model,
      '--signature',
      bundleFrom([leaf, intermediate]),
      '--certificate-chain',
      root.certPath,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).signer).toMatchObject({
      kind: 'certificate',
      subject: '',
      issuer: 'CN=test-intermediate',
    });
    expect(r.code).toBe(0);
  });
});
