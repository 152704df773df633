// RFC 5280 §6 path validation for bring-your-own PKI chains: build a path from the leaf through
// the bundle's intermediates to a trust anchor (each issuer's signature verified, CA and
// keyCertSign required, pathLen honoured), then check every certificate on it: no unknown critical
// extension, name constraints from every CA above, EKU codeSigning wherever an EKU is present,
// and validity at the given time. A leaf byte-identical to one of the anchors is trusted as pinned
// (model_signing and OpenSSL do the same): its path is the leaf alone, still checked for critical
// extensions, EKU and validity; any other self-signed leaf must chain to a separate anchor.
import type { X509Certificate } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import {
  EKU_CODE_SIGNING,
  certificateExtensions,
  certificateName,
  oneLineName,
  rawExtensions,
} from '../keys/certificates.js';
import { OID_NAME_CONSTRAINTS, nameConstraintViolation } from './name-constraints.js';

const MAX_DEPTH = 8;
const EKU_ANY = '2.5.29.37.0';

/** Critical extensions whose meaning is checked here (RFC 5280 §4.2: any other critical one fails the path). */
const UNDERSTOOD_CRITICAL = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.37', // extKeyUsage
  OID_NAME_CONSTRAINTS,
]);

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** May `ca` issue certificates with `below` CA certificates under it (BasicConstraints CA, keyCertSign, pathLen)? */
function canIssue(ca: X509Certificate, below: number): boolean {
  if (!ca.ca) return false;
  const ext = certificateExtensions(ca);
  if (ext.keyUsage && !ext.keyUsage.keyCertSign) return false;
  return ext.pathLength === undefined || below <= ext.pathLength;
}

/** Leaf-first path ending at a trust anchor, or null. Depth-first over candidate issuers. */
function buildPath(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
): X509Certificate[] | null {
  const walk = (path: X509Certificate[]): X509Certificate[] | null => {
    const current = path[path.length - 1];
    if (path.length > MAX_DEPTH) return null;
    const below = path.length - 1; // CA certificates between the leaf and the next issuer
    for (const anchor of anchors)
      if (canIssue(anchor, below) && issuedBy(current, anchor)) return [...path, anchor];
    for (const next of intermediates) {
      if (
        !canIssue(next, below) ||
        anchors.some((a) => a.fingerprint256 === next.fingerprint256) ||
        path.some((p) => p.fingerprint256 === next.fingerprint256) ||
        !issuedBy(current, next)
      )
        continue;
      const found = walk([...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk([leaf]);
}

function fail(code: 'UNTRUSTED_CHAIN' | 'KEY_USAGE' | 'CERTIFICATE_EXPIRED', message: string): never {
  throw new ModelsealError(code, message);
}

function validAt(cert: X509Certificate, t: Date): boolean {
  return t >= new Date(cert.validFrom) && t <= new Date(cert.validTo);
}

/**
 * Validates the leaf's certification path and returns it (leaf first, anchor last; the leaf alone
 * when it is byte-identical to one of `anchors`). Throws UNTRUSTED_CHAIN (no path, an unknown
 * critical or repeated extension below the anchor, a name outside the constraints), KEY_USAGE (an EKU without codeSigning) or CERTIFICATE_EXPIRED (a certificate
 * not valid at `at`). `source` prefixes messages.
 */
export function validatePath(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
  at: Date,
  source: string,
): X509Certificate[] {
  const leafName = `certificate '${certificateName(leaf)}'`;
  const pinned = anchors.some((a) => a.raw.equals(leaf.raw));
  const path = pinned ? [leaf] : buildPath(leaf, intermediates, anchors);
  if (!path)
    fail(
      'UNTRUSTED_CHAIN',
      `${source}: ${leafName} (issuer '${oneLineName(leaf.issuer)}') does not chain to any trust anchor`,
    );
  const ders = path.map((c) => c.raw);
  path.forEach((cert, i) => {
    const name = `certificate '${certificateName(cert)}'`;
    const exts = rawExtensions(cert.raw);
    if (i === 0 || i < path.length - 1) {
      const unknown = exts.find((e) => e.critical && !UNDERSTOOD_CRITICAL.has(e.oid));
      if (unknown)
        fail(
          'UNTRUSTED_CHAIN',
          `${source}: ${name} has a critical extension modelseal does not understand (${unknown.oid})`,
        );
      const seen = new Set<string>();
      for (const e of exts) {
        if (seen.has(e.oid))
          fail('UNTRUSTED_CHAIN', `${source}: ${name} has extension ${e.oid} more than once`);
        seen.add(e.oid);
      }
    }
    const eku = certificateExtensions(cert).extendedKeyUsage;
    if (exts.some((e) => e.oid === '2.5.29.37') && !eku.includes(EKU_CODE_SIGNING) && !eku.includes(EKU_ANY))
      fail(
        'KEY_USAGE',
        `${source}: ${name} restricts its ExtendedKeyUsage to ${eku.join(', ') || 'nothing'}, without codeSigning`,
      );
    const constraints = exts.find((e) => e.oid === OID_NAME_CONSTRAINTS);
    if (constraints && i > 0) {
      for (let j = 0; j < i; j++) {
        let violation: string | null;
        try {
          violation = nameConstraintViolation(constraints.value, ders[j]);
        } catch (e) {
          violation = (e as Error).message;
        }
        if (violation)
          fail(
            'UNTRUSTED_CHAIN',
            `${source}: certificate '${certificateName(path[j])}' violates the name constraints of ${name}: ${violation}`,
          );
      }
    }
    if (!validAt(cert, at))
      fail(
        'CERTIFICATE_EXPIRED',
        `${source}: ${name} is not valid at ${at.toISOString()} (valid ${cert.validFrom} to ${cert.validTo})`,
      );
  });
  return path;
}

/** Certificates on `path` not valid at `now` (for warnings when validity is checked at another time). */
export function invalidNow(path: X509Certificate[], now: Date): X509Certificate[] {
  return path.filter((c) => !validAt(c, now));
}
