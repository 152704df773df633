// nameConstraintViolation on real certificates made by `openssl req -x509` (subject and
// SubjectAltName as given) against NameConstraints values: DER built here for every GeneralName
// form (so unsupported forms and edge values can be expressed), and the extension openssl writes.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rawExtensions } from '../keys/certificates.js';
import { OID_NAME_CONSTRAINTS, nameConstraintViolation } from './name-constraints.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-name-constraints-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A self-signed P-256 certificate (DER) with `subject` ('/' = empty) and extra `-addext` lines. */
function cert(subject: string, ...addext: string[]): Buffer {
  const out = path.join(tmp, `c${n++}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(tmp, 'k.pem'),
      '-subj',
      subject,
      '-days',
      '1',
      ...addext.flatMap((e) => ['-addext', e]),
      '-out',
      out,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new X509Certificate(readFileSync(out)).raw;
}

/** DER TLV with a one- or two-byte length. */
function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : Buffer.from([tag, 0x81, len]);
  return Buffer.concat([head, content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const text = (s: string) => Buffer.from(s, 'latin1');
/** GeneralName [n] IMPLICIT (primitive) with the given content. */
const gn = (n: number, content: Buffer) => tlv(0x80 | n, content);
const dns = (s: string) => gn(2, text(s));
const email = (s: string) => gn(1, text(s));
const uri = (s: string) => gn(6, text(s));
const ip = (...bytes: number[]) => gn(7, Buffer.from(bytes));
/** directoryName [4] EXPLICIT Name, from the DER of RDN SETs. */
const dir = (...rdns: Buffer[]) => tlv(0xa4, seq(...rdns));
/** An RDN SET { AttributeTypeAndValue } for O (2.5.4.10) or CN (2.5.4.3), UTF8String. */
const rdn = (attr: 'O' | 'CN', value: string) =>
  tlv(
    0x31,
    seq(
      tlv(0x06, Buffer.from(attr === 'O' ? [0x55, 0x04, 0x0a] : [0x55, 0x04, 0x03])),
      tlv(0x0c, text(value)),
    ),
  );
/** NameConstraints { permittedSubtrees [0], excludedSubtrees [1] } of GeneralSubtree { base }. */
function constraints(permitted: Buffer[], excluded: Buffer[] = []): Buffer {
  const subtrees = (tag: number, bases: Buffer[]) =>
    bases.length ? [tlv(tag, Buffer.concat(bases.map((b) => seq(b))))] : [];
  return seq(...subtrees(0xa0, permitted), ...subtrees(0xa1, excluded));
}

const check = (c: Buffer, certDer: Buffer) => nameConstraintViolation(c, certDer);

describe('nameConstraintViolation: dNSName', () => {
  const host = cert('/CN=dns', 'subjectAltName=DNS:Signer.Models.Example.test');
  const apex = cert('/CN=dns', 'subjectAltName=DNS:example.test');

  it('a host permitted by its domain, case-insensitively, and the domain itself', () => {
    expect(check(constraints([dns('models.EXAMPLE.test')]), host)).toBeNull();
    expect(check(constraints([dns('example.test')]), apex)).toBeNull();
  });

  it('a leading dot permits subdomains only, not the domain itself', () => {
    expect(check(constraints([dns('.example.test')]), host)).toBeNull();
    expect(check(constraints([dns('.example.test')]), apex)).toBe(
      'dNSName "example.test" is outside the permitted dNSName subtrees',
    );
  });

  it('a suffix that is not a label boundary does not match', () => {
    const bad = cert('/CN=dns', 'subjectAltName=DNS:badexample.test');
    expect(check(constraints([dns('example.test')]), bad)).toBe(
      'dNSName "badexample.test" is outside the permitted dNSName subtrees',
    );
    expect(check(constraints([dns('.example.test')]), bad)).toBe(
      'dNSName "badexample.test" is outside the permitted dNSName subtrees',
    );
  });

  it('an empty constraint matches every name; one of several permitted subtrees suffices', () => {
    expect(check(constraints([dns('')]), host)).toBeNull();
    expect(check(constraints([dns('other.test'), dns('example.test')]), host)).toBeNull();
    expect(check(constraints([dns('other.test'), dns('example.org')]), host)).toBe(
      'dNSName "Signer.Models.Example.test" is outside the permitted dNSName subtrees',
    );
  });

  it('an excluded subtree forbids the names inside it, not those outside', () => {
    expect(check(constraints([], [dns('example.test')]), host)).toBe(
      'dNSName "Signer.Models.Example.test" is inside an excluded subtree',
    );
    expect(check(constraints([], [dns('example.org')]), host)).toBeNull();
    expect(check(constraints([dns('example.test')], [dns('other.example.test')]), host)).toBeNull();
  });

  it('constraints of another form leave a dNSName alone', () => {
    expect(check(constraints([email('example.org'), uri('example.org')]), host)).toBeNull();
    expect(check(constraints([], [email('example.test')]), host)).toBeNull();
  });

  it('every name is checked, not only the first', () => {
    const two = cert('/CN=dns', 'subjectAltName=DNS:a.example.test,DNS:evil.test');
    expect(check(constraints([dns('example.test')]), two)).toBe(
      'dNSName "evil.test" is outside the permitted dNSName subtrees',
    );
  });
});

describe('nameConstraintViolation: rfc822Name', () => {
  const mail = cert('/CN=mail', 'subjectAltName=email:Signer@Example.test');
  const sub = cert('/CN=mail', 'subjectAltName=email:signer@ci.example.test');

  it('a constraint with @ names one mailbox, case-insensitively', () => {
    expect(check(constraints([email('signer@example.TEST')]), mail)).toBeNull();
    expect(check(constraints([email('other@example.test')]), mail)).toBe(
      'rfc822Name "Signer@Example.test" is outside the permitted rfc822Name subtrees',
    );
  });

  it('a host constraint matches that host exactly; a leading dot matches its subdomains', () => {
    expect(check(constraints([email('EXAMPLE.test')]), mail)).toBeNull();
    expect(check(constraints([email('example.test')]), sub)).toBe(
      'rfc822Name "signer@ci.example.test" is outside the permitted rfc822Name subtrees',
    );
    expect(check(constraints([email('.example.test')]), sub)).toBeNull();
    expect(check(constraints([email('.example.test')]), mail)).toBe(
      'rfc822Name "Signer@Example.test" is outside the permitted rfc822Name subtrees',
    );
  });

  it('the host is what follows the last @', () => {
    const quoted = cert('/CN=mail', 'subjectAltName=email:a@evil.test@example.test');
    expect(check(constraints([email('example.test')]), quoted)).toBeNull();
    expect(check(constraints([email('evil.test')]), quoted)).toBe(
      'rfc822Name "a@evil.test@example.test" is outside the permitted rfc822Name subtrees',
    );
  });

  it('an excluded mailbox domain', () => {
    expect(check(constraints([], [email('example.test')]), mail)).toBe(
      'rfc822Name "Signer@Example.test" is inside an excluded subtree',
    );
  });
});

describe('nameConstraintViolation: URI', () => {
  const u = cert('/CN=uri', 'subjectAltName=URI:https://ci.example.test/org/repo');

  it('the host of the URI is matched: exactly, or below a leading-dot domain', () => {
    expect(check(constraints([uri('CI.example.test')]), u)).toBeNull();
    expect(check(constraints([uri('.example.test')]), u)).toBeNull();
    expect(check(constraints([uri('example.test')]), u)).toBe(
      'URI "https://ci.example.test/org/repo" is outside the permitted URI subtrees',
    );
    expect(check(constraints([uri('.ci.example.test')]), u)).toBe(
      'URI "https://ci.example.test/org/repo" is outside the permitted URI subtrees',
    );
  });

  it('a URI without a host never matches a constraint', () => {
    const bare = cert('/CN=uri', 'subjectAltName=URI:urn:example:model');
    const junk = cert('/CN=uri', 'subjectAltName=URI:not a uri');
    expect(check(constraints([uri('example')]), bare)).toBe(
      'URI "urn:example:model" is outside the permitted URI subtrees',
    );
    expect(check(constraints([uri('.test')]), junk)).toBe(
      'URI "not a uri" is outside the permitted URI subtrees',
    );
    expect(check(constraints([], [uri('example')]), bare)).toBeNull();
  });

  it('an IPv6 host is compared without its brackets', () => {
    const v6 = cert('/CN=uri', 'subjectAltName=URI:https://[2001:db8::1]/x');
    expect(check(constraints([uri('2001:db8::1')]), v6)).toBeNull();
  });
});

describe('nameConstraintViolation: iPAddress', () => {
  const v4 = cert('/CN=ip', 'subjectAltName=IP:10.1.2.3');
  const v6 = cert('/CN=ip', 'subjectAltName=IP:2001:db8::1');

  it('an IPv4 address inside and outside a network/mask', () => {
    expect(check(constraints([ip(10, 0, 0, 0, 255, 0, 0, 0)]), v4)).toBeNull();
    expect(check(constraints([ip(10, 1, 2, 3, 255, 255, 255, 255)]), v4)).toBeNull();
    expect(check(constraints([ip(10, 1, 2, 0, 255, 255, 255, 0)]), v4)).toBeNull();
    expect(check(constraints([ip(10, 1, 2, 4, 255, 255, 255, 255)]), v4)).toBe(
      'iPAddress 0a010203 is outside the permitted iPAddress subtrees',
    );
    expect(check(constraints([ip(11, 0, 0, 0, 255, 0, 0, 0)]), v4)).toBe(
      'iPAddress 0a010203 is outside the permitted iPAddress subtrees',
    );
  });

  it('an address of the other family never matches', () => {
    expect(check(constraints([ip(0, 0, 0, 0, 0, 0, 0, 0)]), v6)).toBe(
      'iPAddress 20010db8000000000000000000000001 is outside the permitted iPAddress subtrees',
    );
    const v6net = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(12).fill(0)];
    const v6mask = [0xff, 0xff, 0xff, 0xff, ...Array<number>(12).fill(0)];
    expect(check(constraints([ip(...v6net, ...v6mask)]), v6)).toBeNull();
    expect(check(constraints([ip(...v6net, ...v6mask)]), v4)).toBe(
      'iPAddress 0a010203 is outside the permitted iPAddress subtrees',
    );
  });

  it('an excluded network', () => {
    expect(check(constraints([], [ip(10, 0, 0, 0, 255, 0, 0, 0)]), v4)).toBe(
      'iPAddress 0a010203 is inside an excluded subtree',
    );
  });
});

describe('nameConstraintViolation: directoryName', () => {
  const good = cert('/O=Good Org/CN=signer');

  it('the subject must start with the permitted RDNs', () => {
    expect(check(constraints([dir(rdn('O', 'Good Org'))]), good)).toBeNull();
    expect(check(constraints([dir(rdn('O', 'Good Org'), rdn('CN', 'signer'))]), good)).toBeNull();
    expect(check(constraints([dir()]), good)).toBeNull();
    expect(check(constraints([dir(rdn('O', 'Evil Org'))]), good)).toBe(
      'directoryName (2 RDNs) is outside the permitted directoryName subtrees',
    );
    expect(check(constraints([dir(rdn('CN', 'signer'))]), good)).toBe(
      'directoryName (2 RDNs) is outside the permitted directoryName subtrees',
    );
  });

  it('a constraint longer than the subject does not match', () => {
    const short = cert('/O=Good Org');
    expect(check(constraints([dir(rdn('O', 'Good Org'), rdn('CN', 'signer'))]), short)).toBe(
      'directoryName (1 RDNs) is outside the permitted directoryName subtrees',
    );
  });

  it('an excluded directory subtree', () => {
    expect(check(constraints([], [dir(rdn('O', 'Good Org'))]), good)).toBe(
      'directoryName (2 RDNs) is inside an excluded subtree',
    );
  });

  it('an empty subject asserts no directoryName; its SubjectAltName is still checked', () => {
    const empty = cert('/', 'subjectAltName=critical,email:signer@example.test');
    expect(check(constraints([dir(rdn('O', 'Good Org'))]), empty)).toBeNull();
    expect(check(constraints([email('example.org')]), empty)).toBe(
      'rfc822Name "signer@example.test" is outside the permitted rfc822Name subtrees',
    );
  });
});

describe('nameConstraintViolation: what cannot be evaluated', () => {
  const host = cert('/CN=x', 'subjectAltName=DNS:example.test');

  it('a constraint of form otherName, x400Address or registeredID throws (fail closed)', () => {
    const otherName = tlv(
      0xa0,
      Buffer.concat([tlv(0x06, Buffer.from([0x2a, 0x03])), tlv(0xa0, tlv(0x0c, text('x')))]),
    );
    expect(() => check(constraints([otherName]), host)).toThrow(
      'a name constraint of GeneralName form [0] cannot be evaluated',
    );
    expect(() => check(constraints([], [gn(8, Buffer.from([0x2a, 0x03]))]), host)).toThrow(
      'a name constraint of GeneralName form [8] cannot be evaluated',
    );
    expect(() => check(constraints([tlv(0xa3, seq())]), host)).toThrow(
      'a name constraint of GeneralName form [3] cannot be evaluated',
    );
  });

  it('a SubjectAltName entry of a form without constraints semantics (otherName) is skipped', () => {
    const other = cert('/CN=x', 'subjectAltName=otherName:1.2.3.4;UTF8:anything,DNS:a.example.test');
    expect(check(constraints([dns('example.test')]), other)).toBeNull();
  });

  it('no subtrees at all allow every name', () => {
    expect(check(seq(), host)).toBeNull();
  });
});

describe('nameConstraintViolation on the extension openssl writes', () => {
  it('reads permitted and excluded subtrees of a real CA certificate', () => {
    const ca = cert(
      '/CN=ca',
      'basicConstraints=critical,CA:TRUE',
      'nameConstraints=critical,permitted;DNS:example.test,excluded;DNS:bad.example.test',
    );
    const value = rawExtensions(ca).find((e) => e.oid === OID_NAME_CONSTRAINTS)?.value;
    expect(value).toBeDefined();
    const c = value as Buffer;
    expect(check(c, cert('/CN=ok', 'subjectAltName=DNS:good.example.test'))).toBeNull();
    expect(check(c, cert('/CN=bad', 'subjectAltName=DNS:x.bad.example.test'))).toBe(
      'dNSName "x.bad.example.test" is inside an excluded subtree',
    );
    expect(check(c, cert('/CN=out', 'subjectAltName=DNS:example.org'))).toBe(
      'dNSName "example.org" is outside the permitted dNSName subtrees',
    );
  });
});
