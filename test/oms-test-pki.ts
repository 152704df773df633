// Test PKI made with the real `openssl ca`: RSA root -> EC P-384 intermediate -> EC P-256 leaves
// (code signing, no signing usage, expired), plus an unrelated root. Shared by oms-* tests.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Issued {
  certPath: string;
  keyPath: string;
  cert: X509Certificate;
  key: KeyObject;
}

export interface Pki {
  root: Issued;
  intermediate: Issued;
  /** KU digitalSignature + EKU codeSigning, valid 2019-2039 */
  leaf: Issued;
  /** KU keyAgreement + EKU serverAuth only */
  leafNoUsage: Issued;
  /** valid 2019-2020 only */
  leafExpired: Issued;
  /** no KeyUsage extension, EKU codeSigning only */
  leafEkuOnly: Issued;
  /** a self-signed root unrelated to the chain */
  otherRoot: Issued;
  /** root with pathlen:0 -> intermediate -> leaf: the chain is too long for the root */
  pathLen: { root: Issued; intermediate: Issued; leaf: Issued };
}

const CONFIG = `[ca]
default_ca = CA_default
[CA_default]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[policy_any]
organizationName = optional
commonName = optional
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
[ekuonly_ext]
basicConstraints = CA:FALSE
extendedKeyUsage = codeSigning
[ca0_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
[nousage_ext]
basicConstraints = CA:FALSE
keyUsage = critical, keyAgreement
extendedKeyUsage = serverAuth
`;

export type KeySpec = 'rsa' | 'p256' | 'p384';

function newKey(spec: KeySpec): KeyObject {
  if (spec === 'rsa') return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return generateKeyPairSync('ec', { namedCurve: spec === 'p256' ? 'prime256v1' : 'secp384r1' }).privateKey;
}

/** Issues a certificate with `openssl ca`: `ext` names a section of the config (plus `extraConfig`). */
export type IssueCert = (
  name: string,
  spec: KeySpec,
  ext: string,
  issuer: Issued | null,
  start?: string,
  end?: string,
  subject?: string,
) => Issued;

/**
 * An `openssl ca` working in `dir` (created) with the shared config plus `extraConfig` (more
 * extension sections). The subject defaults to `/CN=<name>`.
 */
export function pkiIssuer(dir: string, extraConfig = ''): IssueCert {
  mkdirSync(path.join(dir, 'newcerts'), { recursive: true });
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'serial'), '1000\n');
  writeFileSync(path.join(dir, 'ca.cnf'), CONFIG + extraConfig);
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return (name, spec, ext, issuer, start = '20190101000000Z', end = '20390101000000Z', subject) => {
    const key = newKey(spec);
    const keyPath = path.join(dir, `${name}.key`);
    writeFileSync(keyPath, key.export({ type: 'pkcs8', format: 'pem' }));
    run(['req', '-new', '-key', keyPath, '-subj', subject ?? `/CN=${name}`, '-out', `${name}.csr`]);
    const signer = issuer
      ? ['-cert', issuer.certPath, '-keyfile', issuer.keyPath]
      : ['-selfsign', '-keyfile', keyPath];
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      ...signer,
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      '-startdate',
      start,
      '-enddate',
      end,
      '-extensions',
      ext,
      '-notext',
    ]);
    const certPath = path.join(dir, `${name}.pem`);
    return {
      certPath,
      keyPath,
      cert: new X509Certificate(readFileSync(certPath)),
      key: createPrivateKey(readFileSync(keyPath)),
    };
  };
}

/** Builds the PKI in `dir` (created). Takes well under a second. */
export function makePki(dir: string): Pki {
  const issue = pkiIssuer(dir);
  const root = issue('test-root', 'rsa', 'ca_ext', null);
  const intermediate = issue('test-intermediate', 'p384', 'ca_ext', root);
  return {
    root,
    intermediate,
    leaf: issue('test-leaf', 'p256', 'leaf_ext', intermediate),
    leafNoUsage: issue('test-leaf-no-usage', 'p256', 'nousage_ext', intermediate),
    leafExpired: issue(
      'test-leaf-expired',
      'p256',
      'leaf_ext',
      intermediate,
      '20190101000000Z',
      '20200101000000Z',
    ),
    leafEkuOnly: issue('test-leaf-eku-only', 'p256', 'ekuonly_ext', intermediate),
    otherRoot: issue('other-root', 'p256', 'ca_ext', null),
    pathLen: (() => {
      const r = issue('pathlen0-root', 'p256', 'ca0_ext', null);
      const i = issue('pathlen0-intermediate', 'p256', 'ca_ext', r);
      return { root: r, intermediate: i, leaf: issue('pathlen0-leaf', 'p256', 'leaf_ext', i) };
    })(),
  };
}
