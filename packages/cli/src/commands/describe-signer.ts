// One line naming who signed a bundle (key hint, certificate subject and issuer, keyless identity),
// shared by verify, attest, inspect and pull --policy.
import type { SignerIdentity } from '@modelseal/core';

/** `key <hint>`, `certificate <subject> (issuer <issuer>)` or `<identity> (issuer <issuer>)`. */
export function describeSigner(s: SignerIdentity): string {
  if (s.kind === 'key') return `key ${s.keyHint ?? ''}`.trim();
  if (s.kind === 'certificate') return `certificate ${s.subject} (issuer ${s.issuer})`;
  return `${s.identity} (issuer ${s.issuer})`;
}
