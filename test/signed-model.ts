// What the "signed model on a test registry" tests share: where the built CLI and the sample model
// are, and the policy that pins identities to ECDSA public keys made in the test. Each test keeps its
// own `require` block (what it demands is what it tests).
import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { publicKeyPem } from '../packages/core/src/keys.js';
import { BIN, REPO } from './hardening/cli-process.js';

export { BIN, REPO };

/** The sample model the tests push, sign and pull (fixtures/models/sample-model). */
export const SAMPLE = path.join(REPO, 'fixtures/models/sample-model');

/**
 * A `modelseal.dev/v1alpha1` ModelPolicy named `name` whose identities are keys: each entry of
 * `keys` becomes `<identity>: {key: {publicKey: <PEM>}}`. `require` is the YAML under `spec.require`,
 * every line already indented by 4 spaces, ending with a newline.
 */
export function keyPolicyYaml(name: string, keys: Record<string, KeyObject>, require: string): string {
  const identities = Object.entries(keys)
    .map(
      ([id, key]) =>
        `    ${id}:\n      key:\n        publicKey: |\n          ${publicKeyPem(key).trim().split('\n').join('\n          ')}\n`,
    )
    .join('');
  return `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: ${name}}
spec:
  identities:
${identities}  require:
${require}`;
}
