// `modelseal policy init | check` (the built CLI, run in this process by ./cli-in-process.ts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makePki } from './oms-test-pki.js';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cli-policy-'));

beforeAll(() => {
  if (existsSync(BIN)) return;
  const r = spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo, encoding: 'utf8' });
  if (!existsSync(BIN)) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The CLI, run in this process (./cli-in-process.ts); `status` as spawnSync names the exit code. */
const modelseal = async (...args: string[]) => {
  const r = await runCliInProcess(args, { env: { COSIGN_PASSWORD: 'modelseal-test' } });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};
const KEYS = path.join(repo, 'fixtures/keys');

/** A copy of the sample model fixture in tmp/NAME. */
function modelCopy(name: string): string {
  const dir = path.join(tmp, name);
  cpSync(path.join(repo, 'fixtures/models/sample-model'), dir, { recursive: true });
  return dir;
}

describe('modelseal policy', () => {
  it('init prints a commented example that check accepts', async () => {
    const init = await modelseal('policy', 'init');
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/^# modelseal ModelPolicy/);
    const file = path.join(tmp, 'policy.yaml');
    writeFileSync(file, init.stdout);
    const check = await modelseal('policy', 'check', file, '--json');
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual({
      valid: true,
      name: 'prod-serving',
      digest: `sha256:${createHash('sha256').update(init.stdout).digest('hex')}`,
      mode: 'enforce',
      identities: ['acme-training'],
      requires: ['signatures.oms', 'provenance', 'sbom', 'weights'],
    });
    const text = await modelseal('policy', 'check', file);
    expect(text.stdout.split('\n')[0]).toBe(
      `${file}: policy prod-serving is valid (sha256:${createHash('sha256').update(init.stdout).digest('hex')})`,
    );
  });

  it('an invalid policy exits 2 with one line naming line, column and field', async () => {
    const file = path.join(tmp, 'typo.yaml');
    writeFileSync(
      file,
      (await modelseal('policy', 'init')).stdout.replace('    provenance:', '    provenence:'),
    );
    const r = await modelseal('policy', 'check', file);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `modelseal: error[POLICY_INVALID]: ${file}: line 40, column 5: spec.require.provenence: unknown field (a typo, or a field this apiVersion does not have)\n`,
    );
  });

  it('a missing file is NOT_FOUND, exit 2', async () => {
    const r = await modelseal('policy', 'check', path.join(tmp, 'absent.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[NOT_FOUND]: policy ${path.join(tmp, 'absent.yaml')}: no such file\n`,
    );
  });

  it('init --key pins that key: a model it signed passes verify --policy, one signed by another key fails', async () => {
    const init = await modelseal('policy', 'init', '--key', path.join(KEYS, 'test.pub'));
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    const file = path.join(tmp, 'key-policy.yaml');
    writeFileSync(file, init.stdout);
    const doc = parse(init.stdout) as {
      spec: { identities: Record<string, { key: { publicKey: string } }> };
    };
    expect(doc.spec.identities['release-key'].key.publicKey).toBe(
      readFileSync(path.join(KEYS, 'test.pub'), 'utf8'),
    );
    const check = await modelseal('policy', 'check', file, '--json');
    expect(JSON.parse(check.stdout)).toMatchObject({
      valid: true,
      name: 'model-release',
      identities: ['release-key'],
      requires: ['signatures.oms', 'weights'],
    });

    const model = modelCopy('key-signed');
    expect((await modelseal('sign', model, '--key', path.join(KEYS, 'test.key'))).status).toBe(0);
    const ok = await modelseal('verify', model, '--policy', file);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const other = modelCopy('other-signed');
    const prefix = path.join(tmp, 'other');
    expect((await modelseal('keygen', '--output-prefix', prefix, '--no-encrypt')).status).toBe(0);
    expect((await modelseal('sign', other, '--key', `${prefix}.key`)).status).toBe(0);
    const denied = await modelseal('verify', other, '--policy', file);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toMatch(
      /^modelseal: error\[WRONG_KEY\]: policy model-release: signatures\.oms: .*model\.sig: signed by a different key/m,
    );
  }, 240_000);

  it('init --certificate-chain pins the root: a leaf under it passes, a chain to another root fails', async () => {
    const pki = makePki(path.join(tmp, 'pki'));
    const init = await modelseal(
      'policy',
      'init',
      '--certificate-chain',
      pki.root.certPath,
      '--name',
      'corp',
    );
    expect(init.status).toBe(0);
    const file = path.join(tmp, 'ca-policy.yaml');
    writeFileSync(file, init.stdout);
    const doc = parse(init.stdout) as {
      metadata: { name: string };
      spec: { identities: Record<string, { certificate: { roots: string[] } }> };
    };
    expect(doc.metadata.name).toBe('corp');
    expect(doc.spec.identities['release-ca'].certificate.roots).toEqual([pki.root.cert.toString()]);

    const sign = async (dir: string, leaf: { certPath: string; keyPath: string }, chain: string) =>
      await modelseal(
        'sign',
        dir,
        '--key',
        leaf.keyPath,
        '--certificate',
        leaf.certPath,
        '--certificate-chain',
        chain,
      );
    const good = modelCopy('cert-signed');
    expect((await sign(good, pki.leaf, pki.intermediate.certPath)).status).toBe(0);
    const ok = await modelseal('verify', good, '--policy', file);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const otherInit = await modelseal('policy', 'init', '--certificate-chain', pki.otherRoot.certPath);
    const otherFile = path.join(tmp, 'other-ca-policy.yaml');
    writeFileSync(otherFile, otherInit.stdout);
    const denied = await modelseal('verify', good, '--policy', otherFile);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toMatch(
      /^modelseal: error\[UNTRUSTED_CHAIN\]: policy model-release: signatures\.oms: /m,
    );
  }, 240_000);

  it('init --key with a private key or a missing file is a clear exit 2, and prints no policy', async () => {
    const priv = await modelseal('policy', 'init', '--key', path.join(KEYS, 'test.key'));
    expect(priv.status).toBe(2);
    expect(priv.stdout).toBe('');
    expect(priv.stderr).toMatch(
      /^modelseal: error\[UNSUPPORTED_KEY\]: .*test\.key: no PEM public key \(BEGIN PUBLIC KEY\) found/,
    );
    const missing = await modelseal('policy', 'init', '--certificate-chain', path.join(tmp, 'absent.pem'));
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^modelseal: error\[NOT_FOUND\]/);
  });
});
