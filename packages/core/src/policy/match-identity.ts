// Matches a verified signer against the policy's named identities. The verifier has already proven
// the signature with the key, certificate chain or Sigstore root; this decides whether that signer
// is one the policy names: a key by its fingerprint, a certificate by its trust anchor and subject,
// a keyless signer by SAN, issuer and Fulcio extensions (exact after DER decoding).
import { X509Certificate } from 'node:crypto';
import { loadPublicKey, publicKeyHint } from '../keys/load-public-key.js';
import type { SignerIdentity } from '../oms/verifier.js';
import { valueMatcher } from './anchored-pattern.js';
import type { PolicyIdentity } from './schema.js';

/** A compiled identity: a test and a one-line description for results. */
export interface IdentityMatcher {
  readonly name: string;
  readonly description: string;
  matches(signer: SignerIdentity): boolean;
}

/** Compile one named identity of a validated policy. */
export function identityMatcher(name: string, id: PolicyIdentity): IdentityMatcher {
  if (id.key) {
    const hint = publicKeyHint(loadPublicKey(Buffer.from(id.key.publicKey), `identity ${name}`));
    return {
      name,
      description: `key sha256:${hint.slice(0, 16)}…`,
      matches: (s) => s.kind === 'key' && s.keyHint === hint,
    };
  }
  if (id.certificate) {
    const c = id.certificate;
    const anchors = new Set(c.roots.map((pem) => new X509Certificate(pem).fingerprint256));
    const subject =
      c.subject !== undefined || c.subjectRegExp !== undefined
        ? valueMatcher(c.subject, c.subjectRegExp)
        : undefined;
    return {
      name,
      description: `certificate chained to ${anchors.size} root(s)${subject ? `, subject ${subject.text}` : ''}`,
      matches: (s) =>
        s.kind === 'certificate' &&
        s.anchor !== undefined &&
        anchors.has(s.anchor) &&
        (subject?.test(s.subject) ?? true),
    };
  }
  const k = id.keyless;
  if (!k) throw new Error(`identity ${name} has no kind`);
  const subject = valueMatcher(k.subject, k.subjectRegExp);
  const issuer = valueMatcher(k.issuer, k.issuerRegExp);
  const extensions = Object.entries(k.extensions ?? {});
  return {
    name,
    description: `keyless subject ${subject.text}, issuer ${issuer.text}${extensions.length ? `, ${extensions.length} extension(s)` : ''}`,
    matches: (s) =>
      s.kind === 'keyless' &&
      subject.test(s.identity) &&
      issuer.test(s.issuer) &&
      extensions.every(([ext, want]) => s.extensions[ext] === want),
  };
}

/** A short printable name for a signer, for reasons in results. */
export function describeSigner(s: SignerIdentity): string {
  switch (s.kind) {
    case 'key':
      return `key sha256:${(s.keyHint ?? '?').slice(0, 16)}…`;
    case 'certificate':
      return `certificate '${s.subject}'`;
    case 'keyless':
      return `${s.identity} (issuer ${s.issuer})`;
  }
}
