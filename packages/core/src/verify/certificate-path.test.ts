// validatePath and invalidNow on certificates issued by the real `openssl ca`: paths through
// intermediates, pinned leaves, CA flags, keyCertSign, pathLen, depth, forged issuers, critical
// extensions, EKU, name constraints and validity boundaries, each with its exact error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pkiIssuer, type Issued } from '../../../../test/oms-test-pki.js';
import { invalidNow, validatePath } from './certificate-path.js';

const EXTRA = `
[noca_ext]
basicConstraints = CA:FALSE
keyUsage = critical, keyCertSign, digitalSignature
[nocertsign_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, cRLSign, digitalSignature
[ca1_ext]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign
[ca_noku_ext]
basicConstraints = critical, CA:TRUE
[ca_critical_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
1.2.3.4.5 = critical, ASN1:NULL
[ca_eku_any_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
extendedKeyUsage = 2.5.29.37.0
[ca_eku_server_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
extendedKeyUsage = serverAuth, clientAuth
[ca_nc_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
nameConstraints = critical, permitted;DNS:example.test
[ca_nc_bad_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
nameConstraints = critical, permitted;RID:1.2.3.4
[leaf_critical_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
1.2.3.4.5 = critical, ASN1:NULL
[leaf_noncritical_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
1.2.3.4.5 = ASN1:NULL
[leaf_critical_known_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, codeSigning
subjectAltName = critical, DNS:signer.example.test
[leaf_server_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[leaf_eku_any_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = 2.5.29.37.0
[leaf_dns_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:signer.example.test
[leaf_evil_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:evil.test
[self_leaf_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = codeSigning
[self_critical_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
1.2.3.4.5 = critical, ASN1:NULL
[self_server_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = serverAuth
`;

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cert-path-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const issue = pkiIssuer(path.join(tmp, 'main'), EXTRA);
/** A second CA directory, for certificates whose names repeat one of `issue`'s (files are named after them). */
const forge = pkiIssuer(path.join(tmp, 'forge'), EXTRA);
const root = issue('root', 'p256', 'ca_ext', null);
const inter = issue('inter', 'p256', 'ca_ext', root);
const leaf = issue('leaf', 'p256', 'leaf_ext', inter);
const other = issue('other-root', 'p256', 'ca_ext', null);
const AT = new Date('2025-01-01T00:00:00Z');
const SRC = 'model.sig';

const fps = (certs: { fingerprint256: string }[]) => certs.map((c) => c.fingerprint256);
const run = (l: Issued, intermediates: Issued[], anchors: Issued[], at = AT) =>
  validatePath(
    l.cert,
    intermediates.map((c) => c.cert),
    anchors.map((c) => c.cert),
    at,
    SRC,
  );
const noPath = (name: string, issuer: string) =>
  `${SRC}: certificate '${name}' (issuer 'CN=${issuer}') does not chain to any trust anchor`;
function error(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    const { code, message } = e as { code: string; message: string };
    return { code, message };
  }
  throw new Error('expected validatePath to throw');
}

describe('validatePath: building the path', () => {
  it('leaf -> intermediate -> root, leaf first and anchor last', () => {
    expect(fps(run(leaf, [inter], [root]))).toEqual(fps([leaf.cert, inter.cert, root.cert]));
  });

  it('an intermediate given as the anchor ends the path there; the first matching anchor wins', () => {
    expect(fps(run(leaf, [], [inter]))).toEqual(fps([leaf.cert, inter.cert]));
    expect(fps(run(leaf, [inter], [other, inter, root]))).toEqual(fps([leaf.cert, inter.cert]));
  });

  it('an intermediate that is also an anchor is used as the anchor, not walked through', () => {
    expect(fps(run(leaf, [inter, root], [root, inter]))).toEqual(fps([leaf.cert, inter.cert]));
  });

  it('no path: missing intermediate, unrelated anchor, no anchors', () => {
    expect(error(() => run(leaf, [], [root]))).toEqual(
      expect.objectContaining({ code: 'UNTRUSTED_CHAIN', message: noPath('leaf', 'inter') }),
    );
    expect(error(() => run(leaf, [inter], [other])).message).toBe(noPath('leaf', 'inter'));
    expect(error(() => run(leaf, [inter], [])).message).toBe(noPath('leaf', 'inter'));
  });

  it('unrelated intermediates are skipped while searching', () => {
    const side = issue('side', 'p256', 'ca_ext', other);
    expect(fps(run(leaf, [side, inter], [root]))).toEqual(fps([leaf.cert, inter.cert, root.cert]));
  });

  it('a forged issuer with the same name but another key is no issuer', () => {
    const forged = forge('inter', 'p256', 'ca_ext', root);
    expect(error(() => run(leaf, [forged], [root])).message).toBe(noPath('leaf', 'inter'));
    expect(error(() => run(leaf, [], [forged])).message).toBe(noPath('leaf', 'inter'));
  });

  it('an issuer that is not a CA (BasicConstraints CA:FALSE) cannot issue, as anchor or intermediate', () => {
    const notCa = issue('not-ca', 'p256', 'noca_ext', root);
    const below = issue('below-not-ca', 'p256', 'leaf_ext', notCa);
    expect(error(() => run(below, [], [notCa])).message).toBe(noPath('below-not-ca', 'not-ca'));
    expect(error(() => run(below, [notCa], [root])).message).toBe(noPath('below-not-ca', 'not-ca'));
  });

  it('a CA whose KeyUsage lacks keyCertSign cannot issue; a CA without KeyUsage can', () => {
    const noSign = issue('no-certsign', 'p256', 'nocertsign_ext', root);
    const below = issue('below-no-certsign', 'p256', 'leaf_ext', noSign);
    expect(error(() => run(below, [noSign], [root])).message).toBe(
      noPath('below-no-certsign', 'no-certsign'),
    );
    const noKu = issue('no-ku', 'p256', 'ca_noku_ext', root);
    const underNoKu = issue('below-no-ku', 'p256', 'leaf_ext', noKu);
    expect(run(underNoKu, [noKu], [root])).toHaveLength(3);
  });

  it('pathLen: 0 allows a leaf directly, not one more CA; 1 allows exactly one CA below', () => {
    const r0 = issue('pl0-root', 'p256', 'ca0_ext', null);
    const i0 = issue('pl0-inter', 'p256', 'ca_ext', r0);
    expect(run(issue('pl0-direct', 'p256', 'leaf_ext', r0), [], [r0])).toHaveLength(2);
    expect(error(() => run(issue('pl0-leaf', 'p256', 'leaf_ext', i0), [i0], [r0])).message).toBe(
      noPath('pl0-leaf', 'pl0-inter'),
    );
    const r1 = issue('pl1-root', 'p256', 'ca1_ext', null);
    const i1 = issue('pl1-inter', 'p256', 'ca_ext', r1);
    const i2 = issue('pl1-inter2', 'p256', 'ca_ext', i1);
    expect(run(issue('pl1-leaf', 'p256', 'leaf_ext', i1), [i1], [r1])).toHaveLength(3);
    expect(error(() => run(issue('pl1-deep', 'p256', 'leaf_ext', i2), [i2, i1], [r1])).message).toBe(
      noPath('pl1-deep', 'pl1-inter2'),
    );
    // pathLen on an intermediate counts the CAs below it, too
    const ri = issue('pli-root', 'p256', 'ca_ext', null);
    const capped = issue('pli-capped', 'p256', 'ca0_ext', ri);
    const under = issue('pli-under', 'p256', 'ca_ext', capped);
    expect(
      error(() => run(issue('pli-leaf', 'p256', 'leaf_ext', under), [under, capped], [ri])).message,
    ).toBe(noPath('pli-leaf', 'pli-under'));
  });

  it('paths are at most 8 certificates below the anchor', () => {
    const deepRoot = issue('deep-root', 'p256', 'ca_ext', null);
    const chain: Issued[] = [];
    let parent = deepRoot;
    for (let i = 0; i < 8; i++) chain.unshift((parent = issue(`deep-${i}`, 'p256', 'ca_ext', parent)));
    const at7 = issue('deep-leaf-7', 'p256', 'leaf_ext', chain[1]); // leaf + 7 CAs + anchor
    expect(run(at7, chain.slice(1), [deepRoot])).toHaveLength(9);
    const at8 = issue('deep-leaf-8', 'p256', 'leaf_ext', chain[0]); // leaf + 8 CAs + anchor
    expect(error(() => run(at8, chain, [deepRoot])).message).toBe(noPath('deep-leaf-8', 'deep-7'));
  });
});

describe('validatePath: a pinned leaf (byte-identical to an anchor)', () => {
  const self = issue('self', 'p256', 'self_leaf_ext', null);

  it('is its own path, with or without other anchors and intermediates', () => {
    expect(fps(run(self, [], [self]))).toEqual(fps([self.cert]));
    expect(fps(run(self, [inter], [root, self]))).toEqual(fps([self.cert]));
    expect(fps(run(leaf, [inter], [leaf, root]))).toEqual(fps([leaf.cert]));
  });

  it('a self-signed leaf that is not among the anchors does not chain', () => {
    expect(error(() => run(self, [self], [root])).message).toBe(noPath('self', 'self'));
    const twin = forge('self', 'p256', 'self_leaf_ext', null); // same name, another key
    expect(error(() => run(self, [], [twin])).message).toBe(noPath('self', 'self'));
  });

  it('is still checked: unknown critical extension, EKU without codeSigning, validity', () => {
    const crit = issue('self-crit', 'p256', 'self_critical_ext', null);
    expect(error(() => run(crit, [], [crit]))).toEqual(
      expect.objectContaining({
        code: 'UNTRUSTED_CHAIN',
        message: `${SRC}: certificate 'self-crit' has a critical extension modelseal does not understand (1.2.3.4.5)`,
      }),
    );
    const server = issue('self-server', 'p256', 'self_server_ext', null);
    expect(error(() => run(server, [], [server]))).toEqual(
      expect.objectContaining({
        code: 'KEY_USAGE',
        message: `${SRC}: certificate 'self-server' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, without codeSigning`,
      }),
    );
    const late = new Date('2040-01-01T00:00:00Z');
    expect(error(() => run(self, [], [self], late)).code).toBe('CERTIFICATE_EXPIRED');
  });
});

describe('validatePath: checks on every certificate of the path', () => {
  it('an unknown critical extension fails on the leaf and on an intermediate, not on the anchor', () => {
    const crit = issue('crit-leaf', 'p256', 'leaf_critical_ext', inter);
    expect(error(() => run(crit, [inter], [root]))).toEqual({
      code: 'UNTRUSTED_CHAIN',
      message: `${SRC}: certificate 'crit-leaf' has a critical extension modelseal does not understand (1.2.3.4.5)`,
    });
    const critCa = issue('crit-ca', 'p256', 'ca_critical_ext', root);
    const under = issue('under-crit-ca', 'p256', 'leaf_ext', critCa);
    expect(error(() => run(under, [critCa], [root])).message).toBe(
      `${SRC}: certificate 'crit-ca' has a critical extension modelseal does not understand (1.2.3.4.5)`,
    );
    expect(run(under, [], [critCa])).toHaveLength(2);
  });

  it('critical extensions that are understood, and unknown non-critical ones, pass', () => {
    expect(run(issue('known', 'p256', 'leaf_critical_known_ext', inter), [inter], [root])).toHaveLength(3);
    expect(run(issue('noncrit', 'p256', 'leaf_noncritical_ext', inter), [inter], [root])).toHaveLength(3);
  });

  it('an EKU without codeSigning fails on any certificate of the path; anyExtendedKeyUsage passes', () => {
    const server = issue('server-leaf', 'p256', 'leaf_server_ext', inter);
    expect(error(() => run(server, [inter], [root]))).toEqual({
      code: 'KEY_USAGE',
      message: `${SRC}: certificate 'server-leaf' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, without codeSigning`,
    });
    const serverCa = issue('server-ca', 'p256', 'ca_eku_server_ext', root);
    expect(error(() => run(issue('u1', 'p256', 'leaf_ext', serverCa), [serverCa], [root])).message).toBe(
      `${SRC}: certificate 'server-ca' restricts its ExtendedKeyUsage to 1.3.6.1.5.5.7.3.1, 1.3.6.1.5.5.7.3.2, without codeSigning`,
    );
    const serverRoot = issue('server-root', 'p256', 'ca_eku_server_ext', null);
    expect(error(() => run(issue('u2', 'p256', 'leaf_ext', serverRoot), [], [serverRoot])).code).toBe(
      'KEY_USAGE',
    );
    const anyCa = issue('any-ca', 'p256', 'ca_eku_any_ext', root);
    expect(run(issue('u3', 'p256', 'leaf_eku_any_ext', anyCa), [anyCa], [root])).toHaveLength(3);
  });

  it('name constraints of a CA apply to every certificate below it', () => {
    const nc = issue('nc-ca', 'p256', 'ca_nc_ext', root);
    expect(run(issue('nc-ok', 'p256', 'leaf_dns_ext', nc), [nc], [root])).toHaveLength(3);
    expect(error(() => run(issue('nc-evil', 'p256', 'leaf_evil_ext', nc), [nc], [root]))).toEqual({
      code: 'UNTRUSTED_CHAIN',
      message: `${SRC}: certificate 'nc-evil' violates the name constraints of certificate 'nc-ca': dNSName "evil.test" is outside the permitted dNSName subtrees`,
    });
    // on the anchor: the intermediate below it is checked too (its subject has no dNSName: allowed)
    const ncRoot = issue('nc-root', 'p256', 'ca_nc_ext', null);
    const mid = issue('nc-mid', 'p256', 'ca_ext', ncRoot);
    expect(error(() => run(issue('nc-evil2', 'p256', 'leaf_evil_ext', mid), [mid], [ncRoot])).message).toBe(
      `${SRC}: certificate 'nc-evil2' violates the name constraints of certificate 'nc-root': dNSName "evil.test" is outside the permitted dNSName subtrees`,
    );
  });

  it('a name constraint that cannot be evaluated fails closed with its reason', () => {
    const bad = issue('rid-ca', 'p256', 'ca_nc_bad_ext', root);
    expect(error(() => run(issue('under-rid', 'p256', 'leaf_ext', bad), [bad], [root]))).toEqual({
      code: 'UNTRUSTED_CHAIN',
      message: `${SRC}: certificate 'under-rid' violates the name constraints of certificate 'rid-ca': a name constraint of GeneralName form [8] cannot be evaluated`,
    });
  });

  it('validity: inclusive at both ends, checked on every certificate', () => {
    const short = issue('short', 'p256', 'leaf_ext', inter, '20240101000000Z', '20240201000000Z');
    expect(run(short, [inter], [root], new Date('2024-01-01T00:00:00Z'))).toHaveLength(3);
    expect(run(short, [inter], [root], new Date('2024-02-01T00:00:00Z'))).toHaveLength(3);
    expect(error(() => run(short, [inter], [root], new Date('2024-02-01T00:00:01Z')))).toEqual({
      code: 'CERTIFICATE_EXPIRED',
      message: `${SRC}: certificate 'short' is not valid at 2024-02-01T00:00:01.000Z (valid ${short.cert.validFrom} to ${short.cert.validTo})`,
    });
    expect(error(() => run(short, [inter], [root], new Date('2023-12-31T23:59:59Z'))).code).toBe(
      'CERTIFICATE_EXPIRED',
    );
    const oldRoot = issue('old-root', 'p256', 'ca_ext', null, '20190101000000Z', '20200101000000Z');
    const underOld = issue('under-old', 'p256', 'leaf_ext', oldRoot);
    expect(error(() => run(underOld, [], [oldRoot])).message).toBe(
      `${SRC}: certificate 'old-root' is not valid at 2025-01-01T00:00:00.000Z (valid ${oldRoot.cert.validFrom} to ${oldRoot.cert.validTo})`,
    );
  });
});

describe('invalidNow', () => {
  it('lists the certificates of a path not valid at the given time, in order', () => {
    const short = issue('short-now', 'p256', 'leaf_ext', inter, '20240101000000Z', '20240201000000Z');
    const p = [short.cert, inter.cert, root.cert];
    expect(invalidNow(p, new Date('2024-01-15T00:00:00Z'))).toEqual([]);
    expect(fps(invalidNow(p, new Date('2025-01-01T00:00:00Z')))).toEqual(fps([short.cert]));
    expect(fps(invalidNow(p, new Date('2018-01-01T00:00:00Z')))).toEqual(fps(p));
  });
});
