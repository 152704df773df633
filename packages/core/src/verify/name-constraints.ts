// RFC 5280 §4.2.1.10 name constraints, as a CA applies them to every certificate below it: the
// subject (directoryName) and each SubjectAltName entry (dNSName, rfc822Name, URI, iPAddress) must
// fall inside the permitted subtrees of its form (when there are any) and outside every excluded
// one. Constraint forms we cannot evaluate (otherName, x400Address, ediPartyName, registeredID)
// fail closed.
import type { ASN1Obj } from '@sigstore/core';
import { lazyModule } from '../lazy-module.js';
import { rawExtensions } from '../keys/certificates.js';

const sigstoreCore = lazyModule<typeof import('@sigstore/core')>('@sigstore/core');

export const OID_NAME_CONSTRAINTS = '2.5.29.30';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

type Form = 'email' | 'dns' | 'dir' | 'uri' | 'ip';
const FORMS: Record<number, Form> = { 1: 'email', 2: 'dns', 4: 'dir', 6: 'uri', 7: 'ip' };
const FORM_NAMES: Record<Form, string> = {
  email: 'rfc822Name',
  dns: 'dNSName',
  dir: 'directoryName',
  uri: 'URI',
  ip: 'iPAddress',
};

/** One name or constraint: its form and value (text, DER RDNs for directoryName, bytes for iPAddress). */
interface GeneralName {
  form: Form;
  text: string;
  rdns: Buffer[];
  bytes: Buffer;
}

const parse = (der: Buffer): ASN1Obj => sigstoreCore().ASN1Obj.parseBuffer(der as Buffer<ArrayBuffer>);

function generalName(obj: ASN1Obj): GeneralName {
  const form = obj.tag.isContextSpecific() ? FORMS[obj.tag.number] : undefined;
  if (!form) throw new Error(`a name constraint of GeneralName form [${obj.tag.number}] cannot be evaluated`);
  const rdns = form === 'dir' ? (obj.subs[0]?.subs ?? []).map((r) => r.toDER()) : [];
  return { form, text: obj.value.toString('latin1'), rdns, bytes: Buffer.from(obj.value) };
}

function dnsWithin(name: string, c: string): boolean {
  const n = name.toLowerCase();
  const base = c.toLowerCase().replace(/^\./, '');
  if (base === '') return true;
  return c.startsWith('.') ? n.endsWith(`.${base}`) : n === base || n.endsWith(`.${base}`);
}

function hostOf(uri: string): string | null {
  try {
    return new URL(uri).hostname.replace(/^\[|\]$/g, '') || null;
  } catch {
    return null;
  }
}

function within(name: GeneralName, c: GeneralName): boolean {
  switch (name.form) {
    case 'dns':
      return dnsWithin(name.text, c.text);
    case 'email': {
      if (c.text.includes('@')) return name.text.toLowerCase() === c.text.toLowerCase(); // one mailbox
      const host = name.text.slice(name.text.lastIndexOf('@') + 1).toLowerCase();
      return c.text.startsWith('.') ? dnsWithin(host, c.text) : host === c.text.toLowerCase();
    }
    case 'uri': {
      const host = hostOf(name.text);
      return (
        host !== null && (c.text.startsWith('.') ? dnsWithin(host, c.text) : host === c.text.toLowerCase())
      );
    }
    case 'ip': {
      const len = name.bytes.length;
      if (c.bytes.length !== 2 * len) return false;
      for (let i = 0; i < len; i++)
        if ((name.bytes[i] & c.bytes[len + i]) !== (c.bytes[i] & c.bytes[len + i])) return false;
      return true;
    }
    case 'dir':
      return c.rdns.length <= name.rdns.length && c.rdns.every((r, i) => r.equals(name.rdns[i]));
  }
}

/** The names a certificate asserts: its subject (when not empty) and every SubjectAltName entry. */
function namesOf(certDer: Buffer): GeneralName[] {
  const cert = sigstoreCore().X509Certificate.parse(certDer as Buffer<ArrayBuffer>);
  const rdns = cert.tbsCertificate.subs[5].subs.map((r) => r.toDER());
  const names: GeneralName[] = rdns.length ? [{ form: 'dir', text: '', rdns, bytes: Buffer.alloc(0) }] : [];
  const san = rawExtensions(certDer).find((e) => e.oid === OID_SUBJECT_ALT_NAME);
  if (san) for (const g of parse(san.value).subs) if (FORMS[g.tag.number]) names.push(generalName(g));
  return names;
}

function subtrees(obj: ASN1Obj | undefined): GeneralName[] {
  return (obj?.subs ?? []).map((subtree) => generalName(subtree.subs[0]));
}

function describe(n: GeneralName): string {
  if (n.form === 'dir') return `directoryName (${n.rdns.length} RDNs)`;
  if (n.form === 'ip') return `iPAddress ${n.bytes.toString('hex')}`;
  return `${FORM_NAMES[n.form]} ${JSON.stringify(n.text)}`;
}

/**
 * The first name of `certDer` that the NameConstraints extension value `constraintsDer` (extnValue
 * contents) forbids, described, or null when all names are allowed. Throws when a constraint
 * form cannot be evaluated.
 */
export function nameConstraintViolation(constraintsDer: Buffer, certDer: Buffer): string | null {
  const seq = parse(constraintsDer);
  const permitted = subtrees(seq.subs.find((s) => s.tag.isContextSpecific(0)));
  const excluded = subtrees(seq.subs.find((s) => s.tag.isContextSpecific(1)));
  for (const name of namesOf(certDer)) {
    const allowed = permitted.filter((c) => c.form === name.form);
    if (allowed.length && !allowed.some((c) => within(name, c)))
      return `${describe(name)} is outside the permitted ${FORM_NAMES[name.form]} subtrees`;
    if (excluded.some((c) => c.form === name.form && within(name, c)))
      return `${describe(name)} is inside an excluded subtree`;
  }
  return null;
}
