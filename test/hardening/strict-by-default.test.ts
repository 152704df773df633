// Issue 14 #1 (remainder): the verified paths are strict by default about paths verify ignores
// (.git, .gitattributes, .github, .gitignore, model.sig). `pull --verify` and `pull --policy` refuse
// an artifact carrying them (IGNORED_PATH, exit 1, DEST absent); `verify DIR --policy` fails the OMS
// check when they exist in the model. `--no-strict` goes back to skipping / warning.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree, writeArtifact } from '../oci/model-fixture.js';
import { cliSandbox, ensureBuilt, PASSWORD_ENV, signArgs, TEST_PUB } from './cli-process.js';

const box = cliSandbox('ms-hard-strict-');
const at = (...p: string[]) => path.join(box.dir, ...p);
const raw = (p: string, body: string) => ({
  bytes: Buffer.from(body),
  mediaType: 'application/vnd.cncf.model.weight.v1.raw',
  annotations: { 'org.cncf.model.filepath': p },
});
const REFUSED =
  "modelseal: error[IGNORED_PATH]: oci:layout:v1: layer 1 writes '.git/config', a path verify ignores, so no signature covers it; refusing the artifact (strict, the default when pulling verified or with a policy)\n";

function policy(name: string, mode: 'enforce' | 'audit'): string {
  const pem = readFileSync(TEST_PUB, 'utf8').trim().split('\n').join('\n          ');
  writeFileSync(
    at(name),
    `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: ${name.replace('.yaml', '')}}
spec:
  mode: ${mode}
  identities:
    release:
      key:
        publicKey: |
          ${pem}
  require:
    signatures:
      oms: {signedBy: [release]}
`,
  );
  return name;
}

beforeAll(async () => {
  ensureBuilt();
  await writeArtifact(at('layout'), 'v1', [
    raw('model.safetensors', 'weights'),
    raw('.git/config', '[core]\n\tfsmonitor = "touch /tmp/pwned"\n'),
  ]);
  mkdirSync(at('model'));
  writeFileSync(at('model', 'weights.bin'), 'weights');
});
afterAll(box.cleanup);

describe('pull --verify and pull --policy are strict by default (issue 14 #1)', () => {
  it('pull --verify refuses an artifact with a .git layer before any signature or layer is fetched', () => {
    const r = box.run(['pull', 'oci:layout:v1', 'out-verify', '--verify', '--key', TEST_PUB]);
    expect(r.stderr).toBe(REFUSED);
    expect(r.code).toBe(1);
    expect(existsSync(at('out-verify'))).toBe(false);
  });

  it('pull --verify --no-strict gets past the path check (and then needs a signature)', () => {
    const r = box.run([
      'pull',
      'oci:layout:v1',
      'out-nostrict',
      '--verify',
      '--no-strict',
      '--key',
      TEST_PUB,
    ]);
    expect(r.stderr).not.toContain('IGNORED_PATH');
    expect(r.stderr).toMatch(/error\[SIGNATURE_MISSING\]/);
    expect(r.code).toBe(1);
    expect(existsSync(at('out-nostrict'))).toBe(false);
  });

  it('pull --policy (audit mode, so only the path rule can stop it) refuses; --no-strict pulls without .git', () => {
    const p = policy('audit.yaml', 'audit');
    const r = box.run(['pull', 'oci:layout:v1', 'out-policy', '--policy', p]);
    // refused while planning, before any referrer or layer is read: named as given, like pull --verify
    expect(r.stderr).toBe(REFUSED);
    expect(r.code).toBe(1);
    expect(existsSync(at('out-policy'))).toBe(false);

    const lax = box.run(['pull', 'oci:layout:v1', 'out-lax', '--policy', p, '--no-strict']);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toContain("not writing '.git/config': verify ignores this path");
    expect(Object.keys(readTree(at('out-lax')))).toEqual(['model.safetensors']);
  });
});

describe('verify DIR --policy is strict by default (issue 14 #1)', () => {
  it('a signed model with a .gitattributes added: verify warns, verify --policy fails, --no-strict passes', () => {
    expect(box.run(signArgs('model'), PASSWORD_ENV).code).toBe(0);
    const p = policy('enforce.yaml', 'enforce');
    expect(box.run(['verify', 'model', '--policy', p]).code).toBe(0);

    writeFileSync(at('model', '.gitattributes'), '* filter=evil\n');
    const plain = box.run(['verify', 'model', '--key', TEST_PUB]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain("'.gitattributes' exists in model but no signature covers it");

    const strict = box.run(['verify', 'model', '--policy', p]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /^modelseal: error\[IGNORED_PATH\]: policy enforce: signatures\.oms: .*'\.gitattributes'/m,
    );

    const lax = box.run(['verify', 'model', '--policy', p, '--no-strict']);
    expect(lax.code).toBe(0);
  });
});
