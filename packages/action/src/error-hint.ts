// The Action's hint for an error core says an option gets past (ErrorRemedy): core names its
// options, the Action names its inputs, so a workflow author never reads advice about CLI flags.
import type { ModelsealError } from '@modelseal/core';

/** The Action input (as a workflow sets it) of each core option a remedy can name. */
const INPUTS: Readonly<Record<string, string>> = {
  overwrite: "'overwrite: true'",
  signaturePath: "'signature-path'",
  publicKey: "'public-key'",
  identity: "'certificate-identity' (or 'certificate-identity-regexp')",
  issuer: "'certificate-oidc-issuer' (or 'certificate-oidc-issuer-regexp')",
};

/** `e.message` with the Action's hint appended when core named a remedy the Action has an input for. */
export function messageWithInputHint(e: ModelsealError): string {
  const remedy = e.remedy;
  const input = remedy && INPUTS[remedy.option];
  if (!remedy || !input) return e.message;
  if (remedy.action === 'change') return `${e.message}; choose another ${input}`;
  return `${e.message}; set the input ${input}${remedy.to ? ` to ${remedy.to}` : ''}`;
}
