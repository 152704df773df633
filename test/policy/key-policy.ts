// The ModelPolicy several tests write: one key identity, `trainer`, that must sign the OMS signature
// and, as asked, the cosign signature, the provenance (one builder pattern) and the SBOM.

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
  const pem = o.publicKeyPem.trim().split('\n').join('\n          ');
  const lines = [
    'apiVersion: modelseal.dev/v1alpha1',
    'kind: ModelPolicy',
    `metadata: {name: ${o.name}}`,
    'spec:',
    `  mode: ${o.mode ?? 'enforce'}`,
    '  identities:',
    '    trainer:',
    '      key:',
    '        publicKey: |',
    `          ${pem}`,
    '  require:',
    '    signatures:',
    '      oms: {signedBy: [trainer]}',
  ];
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
  return `${lines.join('\n')}\n`;
}
