import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_POLICY } from './example-policy.js';
import { parsePolicy } from './load-policy.js';

const base = (
  require: string,
  identities = '    k:\n      keyless: {issuer: https://i.test, subject: me@x.test}\n',
) =>
  `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata:
  name: t
spec:
  identities:
${identities}  require:
${require}`;

const rejected = (text: string) => {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('accepted');
};

describe('parsePolicy', () => {
  it('refuses a YAML alias bomb as POLICY_INVALID at the line of the first nested alias, without expanding it', () => {
    const lol = (n: number, name: string, of: string) =>
      `${name}: &${name} [${Array(9).fill(of).join(', ')}]\n`;
    const bomb =
      base('    signatures:\n      oms: {signedBy: [k]}\n') +
      `x-bomb:\n` +
      [
        '  ' + lol(0, 'a', '"lol"'),
        '  ' + lol(1, 'b', '*a'),
        '  ' + lol(2, 'c', '*b'),
        '  ' + lol(3, 'd', '*c'),
      ].join('');
    const t0 = performance.now();
    const err = rejected(bomb);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(err.code).toBe('POLICY_INVALID');
    const line = bomb.split('\n').findIndex((l) => l.includes('c: &c')) + 1;
    expect(err.message).toBe(
      `p.yaml: line ${line}, column 10: aliases expand to more than 50 nodes (an alias bomb); write the values out instead`,
    );
  });

  it('a few plain aliases are still fine (no false alarm)', () => {
    const text = base('    signatures:\n      oms: {signedBy: &ids [k]}\n      cosign: {signedBy: *ids}\n');
    expect(parsePolicy(text, 'p.yaml').policy.spec.require.signatures.cosign?.signedBy).toEqual(['k']);
  });

  it('loads the commented example with defaults filled and the sha256 of its bytes', () => {
    const p = parsePolicy(EXAMPLE_POLICY, 'example.yaml');
    expect(p.policy.spec.mode).toBe('enforce');
    expect(p.policy.spec.require.provenance?.builders[0].maxLevel).toBe(3);
    expect(p.policy.spec.require.sbom?.licenses?.unknown).toBe('deny');
    expect(p.digest).toBe(`sha256:${createHash('sha256').update(EXAMPLE_POLICY).digest('hex')}`);
  });

  it('reads the same policy as JSON', () => {
    const json = JSON.stringify({
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ModelPolicy',
      metadata: { name: 'j' },
      spec: {
        mode: 'audit',
        identities: { k: { keyless: { issuer: 'https://i.test', subjectRegExp: '.*@x\\.test' } } },
        require: { signatures: { cosign: { signedBy: ['k'] } } },
      },
    });
    const p = parsePolicy(json);
    expect(p.policy.spec.mode).toBe('audit');
    expect(p.policy.spec.require.signatures.cosign?.signedBy).toEqual(['k']);
  });

  it('an empty file, or one with only comments, says the policy is empty (no line to point at)', () => {
    for (const text of ['', '\n\n', '# a comment only\n']) {
      expect(() => parsePolicy(text, 'p.yaml')).toThrow(
        'p.yaml: the policy is empty (no YAML or JSON document); `modelseal policy init` prints a commented example',
      );
    }
  });

  it('an unknown field is an error naming its line, column and path', () => {
    const e = rejected(base('    signatures:\n      oms: {signedBy: [k]}\n    provenence: {}\n'));
    expect(e.code).toBe('POLICY_INVALID');
    expect(e.message).toBe(
      'p.yaml: line 12, column 5: spec.require.provenence: unknown field (a typo, or a field this apiVersion does not have)',
    );
  });

  it('weights.allowUnknown: file globs anchored to the model-relative path; bad ones are POLICY_INVALID', () => {
    const sig = '    signatures:\n      oms: {signedBy: [k]}\n';
    const ok = parsePolicy(
      base(
        `${sig}    weights: {scan: clean, allowUnknown: [tokenizer.model, '**/*.model', 'images/*.png']}\n`,
      ),
      'p.yaml',
    );
    expect(ok.policy.spec.require.weights?.allowUnknown).toEqual([
      'tokenizer.model',
      '**/*.model',
      'images/*.png',
    ]);
    const cases: [string, string][] = [
      ["'*'", '"*" matches any file name; name the files (e.g. "tokenizer.model" or "*.model")'],
      ["'**/*'", '"**/*" matches any file name; name the files (e.g. "tokenizer.model" or "*.model")'],
      ['/etc/passwd', '"/etc/passwd" must be relative to the model directory (no leading /)'],
      ['../x.model', '"../x.model" has an empty, "." or ".." path segment'],
      ["'a\\b'", '"a\\\\b" uses / between path segments, not \\'],
      ["''", 'must not be empty'],
    ];
    for (const [glob, why] of cases) {
      const e = rejected(base(`${sig}    weights: {scan: clean, allowUnknown: [${glob}]}\n`));
      expect(e.code).toBe('POLICY_INVALID');
      expect(e.message).toContain(
        `spec.require.weights.allowUnknown[0]: ${why.startsWith('"') ? `file glob ${why}` : why}`,
      );
    }
    const noScan = rejected(
      base(`${sig}    weights: {formats: [safetensors], allowUnknown: [tokenizer.model]}\n`),
    );
    expect(noScan.message).toContain(
      'spec.require.weights.allowUnknown: allowUnknown only applies with scan: clean',
    );
  });

  it('a wrong type names the value position', () => {
    const e = rejected(base('    signatures:\n      oms: {signedBy: k}\n'));
    expect(e.message).toBe(
      'p.yaml: line 11, column 23: spec.require.signatures.oms.signedBy: Invalid input: expected array, received string',
    );
    const missing = rejected(base('    signatures:\n      oms: {}\n'));
    expect(missing.message).toBe(
      'p.yaml: line 11, column 12: spec.require.signatures.oms.signedBy: required field is missing',
    );
  });

  it('deny by default: a policy that requires no signature is rejected', () => {
    const e = rejected(base('    signatures: {}\n'));
    expect(e.message).toBe(
      'p.yaml: line 10, column 17: spec.require.signatures: require the oms signature, the cosign signature, or both',
    );
  });

  it('signedBy must name a declared identity', () => {
    const e = rejected(base('    signatures:\n      oms: {signedBy: [k, nobody]}\n'));
    expect(e.message).toBe(
      'p.yaml: line 11, column 27: spec.require.signatures.oms.signedBy[1]: no identity named "nobody" in spec.identities',
    );
  });

  it('a pattern that would escape its anchors is rejected when compiled alone', () => {
    const ids = "    k:\n      keyless: {issuer: https://i.test, subjectRegExp: 'a)|(.*'}\n";
    const e = rejected(base('    signatures:\n      oms: {signedBy: [k]}\n', ids));
    expect(e.message).toMatch(
      /^p\.yaml: line 8, column 56: spec\.identities\.k\.keyless\.subjectRegExp: not a valid regular expression: /,
    );
  });

  it('exact and RegExp forms exclude each other; an identity has exactly one kind', () => {
    const both = "    k:\n      keyless: {issuer: https://i.test, subject: a, subjectRegExp: 'a'}\n";
    expect(rejected(base('    signatures:\n      oms: {signedBy: [k]}\n', both)).message).toMatch(
      /spec\.identities\.k\.keyless\.subjectRegExp: give subject or subjectRegExp, not both$/,
    );
    const none = '    k:\n      keyless: {subject: a}\n';
    expect(rejected(base('    signatures:\n      oms: {signedBy: [k]}\n', none)).message).toMatch(
      /line 8, column 16: spec\.identities\.k\.keyless: issuer or issuerRegExp is required$/,
    );
    const two = '    k:\n      keyless: {issuer: a, subject: b}\n      key: {publicKey: x}\n';
    expect(rejected(base('    signatures:\n      oms: {signedBy: [k]}\n', two)).message).toMatch(
      /spec\.identities\.k\.key\.publicKey: not a PEM public key/,
    );
  });

  it('licence lists take single SPDX identifiers', () => {
    const sbom =
      '    signatures:\n      oms: {signedBy: [k]}\n    sbom:\n      signedBy: [k]\n      licenses: {deny: [MIT, "GPL-2.0-only OR MIT"]}\n';
    expect(rejected(base(sbom)).message).toBe(
      'p.yaml: line 14, column 30: spec.require.sbom.licenses.deny[1]: one licence per entry (no AND/OR); list each separately',
    );
    const bogus = sbom.replace('"GPL-2.0-only OR MIT"', 'not a licence');
    expect(rejected(base(bogus)).message).toMatch(/deny\[1\]: not an SPDX licence identifier$/);
  });

  it('YAML syntax errors and duplicate keys name their line', () => {
    expect(rejected('apiVersion: a\napiVersion: b\n').message).toMatch(
      /^p\.yaml: line 2, column 1: Map keys must be unique/,
    );
    expect(rejected('a: [1, 2\n').message).toMatch(/^p\.yaml: line \d+, column \d+: /);
  });

  it('a wrong apiVersion or kind is named', () => {
    const text = base('    signatures:\n      oms: {signedBy: [k]}\n').replace('v1alpha1', 'v2');
    expect(rejected(text).message).toMatch(/^p\.yaml: line 1, column 13: apiVersion: /);
    expect(rejected('[]').message).toMatch(/^p\.yaml: line 1, column 1: \(top level\): /);
  });
});
