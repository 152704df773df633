// The Action's hint for an error core says an option gets past (ErrorRemedy): core names its
// options, the Action names its inputs, so a workflow author never reads advice about CLI flags.
// Core warnings name an option as `(option ignoreTlog)`; the Action prints its input there instead.
import type { ModelsealError } from '@modelseal/core';

/** The Action input (as a workflow sets it) of each core option a remedy or a warning can name. */
const INPUTS: Readonly<Record<string, string>> = {
  overwrite: "'overwrite: true'",
  signaturePath: "'signature-path'",
  publicKey: "'public-key'",
  identity: "'certificate-identity' (or 'certificate-identity-regexp')",
  issuer: "'certificate-oidc-issuer' (or 'certificate-oidc-issuer-regexp')",
  allowSymlinks: "'allow-symlinks: true'",
  ignoreUnsignedFiles: "'ignore-unsigned-files: true'",
  ignoreTlog: "'insecure-ignore-tlog: true'",
};

/** `e.message` with the Action's hint appended when core named a remedy the Action has an input for. */
export function messageWithInputHint(e: ModelsealError): string {
  const remedy = e.remedy;
  const input = remedy && INPUTS[remedy.option];
  if (!remedy || !input) return e.message;
  if (remedy.action === 'expected') return `${e.message} (the input ${input})`;
  if (remedy.action === 'change') return `${e.message}; choose another ${input}`;
  return `${e.message}; set the input ${input}${remedy.to ? ` to ${remedy.to}` : ''}`;
}

/** A core warning with each `(option NAME)` the Action has an input for printed as `(the input 'x')`. */
export function warningWithInputs(warning: string): string {
  return warning.replace(/\(option ([A-Za-z.]+)\)/g, (all, name: string) => {
    const input = INPUTS[name];
    return input ? `(the input ${input})` : all;
  });
}
