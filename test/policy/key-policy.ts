// The ModelPolicy the tests write: identities pinned to public keys made in the test
// (keysPolicyYaml), and its common case (keyPolicyYaml): one key identity, `trainer`, that must sign
// the OMS signature and, as asked, the cosign signature, the provenance (one builder pattern) and the
// SBOM.
import type { KeyObject } from 'node:crypto';
import { publicKeyPem } from '../../packages/core/src/keys.js';

/**
 * A `modelseal.dev/v1alpha1` ModelPolicy named `name` whose identities are keys: each entry of
 * `keys` (a public key or its PEM) becomes `<identity>: {key: {publicKey: <PEM>}}`. `require` is the
 * YAML under `spec.require`, every line already indented by 4 spaces, ending with a newline; `mode`,
 * when given, is written as `spec.mode`.
 */
export function keysPolicyYaml(
  name: string,
  keys: Record<string, KeyObject | string>,
  require: string,
  mode?: string,
): string {
  const identities = Object.entries(keys)
    .map(([id, key]) => {
      const pem = typeof key === 'string' ? key : publicKeyPem(key);
      return `    ${id}:\n      key:\n        publicKey: |\n          ${pem.trim().split('\n').join('\n          ')}\n`;
    })
    .join('');
  return `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: ${name}}
spec:
${mode === undefined ? '' : `  mode: ${mode}\n`}  identities:
${identities}  require:
${require}`;
}

export interface KeyPolicyOptions {
  name: string;
  /** the trainer's public key, PEM */
  publicKeyPem: string;
  /** default enforce */
  mode?: string;
  cosign?: boolean;
  provenance?: { builderRegExp: string; maxLevel: number; buildTypes?: string[] };
  sbom?: { licensesDeny?: string[] };
  weights?: string;
}

/** The policy's YAML text. */
export function keyPolicyYaml(o: KeyPolicyOptions): string {
  const lines = ['    signatures:', '      oms: {signedBy: [trainer]}'];
  if (o.cosign) lines.push('      cosign: {signedBy: [trainer]}');
  if (o.provenance) {
    const p = o.provenance;
    lines.push(
      '    provenance:',
      '      signedBy: [trainer]',
      `      builders: [{idRegExp: '${p.builderRegExp}', maxLevel: ${p.maxLevel}}]`,
    );
    if (p.buildTypes) lines.push(`      buildTypes: [${p.buildTypes.join(', ')}]`);
  }
  if (o.sbom) {
    lines.push('    sbom:', '      signedBy: [trainer]');
    if (o.sbom.licensesDeny) lines.push(`      licenses: {deny: [${o.sbom.licensesDeny.join(', ')}]}`);
  }
  if (o.weights) lines.push(`    weights: ${o.weights}`);
  return keysPolicyYaml(o.name, { trainer: o.publicKeyPem }, `${lines.join('\n')}\n`, o.mode ?? 'enforce');
}
