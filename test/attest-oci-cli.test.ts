// The REF forms through the built CLI (run in this process by ./cli-in-process.ts) and a real docker-registry behind a logging proxy: push --sign,
// sign REF (certificate), attest REF and verify-attestation REF, verify REF --json, pull --verify;
// sign REF and attest REF fetch no layer blob (counted at the proxy); failures leave DEST untouched.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from './oms-test-pki.js';
import { startFaultProxy, type FaultProxy } from './registry/fault-proxy.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODEL = path.join(repo, 'fixtures/models/hf-tiny-llama');
const KEY = path.join(repo, 'fixtures/keys/test.key');
const PUB = path.join(repo, 'fixtures/keys/test.pub');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-attest-oci-cli-'));
const ENV: Record<string, string | undefined> = { ...process.env, COSIGN_PASSWORD: 'modelseal-test' };
delete ENV.SIGSTORE_ID_TOKEN;

function modelseal(args: string[]) {
  return runCliInProcess(args, { cwd: tmp, baseEnv: ENV, env: { COSIGN_PASSWORD: ENV.COSIGN_PASSWORD } });
}

let registry: RunningRegistry;
let proxy: FaultProxy;
let pki: Pki;
beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  pki = makePki(path.join(tmp, 'pki'));
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const layerGets = (digests: string[]) =>
  proxy.log.filter((r) => r.method === 'GET' && digests.some((d) => r.path.endsWith(`/blobs/${d}`)));

describe('CLI on a registry reference', () => {
  it('push --sign, sign REF, attest REF: no layer GET; verify REF, verify-attestation REF, pull --verify', async () => {
    const ref = `${proxy.host}/models/tiny:v1`;
    const push = await modelseal(['push', MODEL, ref, '--sign', '--key', KEY, '--json']);
    expect(push.code, push.stderr).toBe(0);
    const pushed = JSON.parse(push.stdout);
    expect(Object.keys(pushed.signatures)).toEqual(['oms', 'cosign']);
    const layers = (pushed.layers as { digest: string }[]).map((l) => l.digest);
    expect(layers).toHaveLength(5);

    proxy.log.length = 0;
    const sign = await modelseal([
      'sign',
      ref,
      '--key',
      pki.leaf.keyPath,
      '--certificate',
      pki.leaf.certPath,
      '--certificate-chain',
      pki.intermediate.certPath,
      '--json',
    ]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(JSON.parse(sign.stdout)).toMatchObject({
      signed: true,
      digest: pushed.digest,
      method: 'certificate',
    });
    writeProvenance();
    const attest = await modelseal([
      'attest',
      ref,
      '--predicate',
      path.join(tmp, 'prov.json'),
      '--type',
      'slsaprovenance1',
      '--key',
      KEY,
    ]);
    expect(attest.code, attest.stderr).toBe(0);
    expect(proxy.log.filter((r) => r.method === 'GET').length).toBeGreaterThan(0);
    expect(layerGets(layers)).toEqual([]);

    const v = await modelseal(['verify', ref, '--key', PUB, '--json']);
    expect(v.code, v.stderr).toBe(0);
    const out = JSON.parse(v.stdout);
    expect(out).toMatchObject({ verified: true, digest: pushed.digest });
    // the key verifies its own two signatures; the certificate-signed ones fail, each with its reason
    expect(
      out.signatures.map((s: { kind: string; verified: boolean }) => `${s.kind}:${s.verified}`).sort(),
    ).toEqual(['cosign:false', 'cosign:true', 'oms:false', 'oms:true']);
    const vc = await modelseal(['verify', ref, '--certificate-chain', pki.root.certPath]);
    expect(vc.code, vc.stderr).toBe(0);
    expect(vc.stdout).toContain('signed by certificate');

    const va = await modelseal(['verify-attestation', ref, '--type', 'slsaprovenance1', '--key', PUB]);
    expect(va.code, va.stderr).toBe(0);
    expect(JSON.parse(va.stdout).buildDefinition.buildType).toBe(
      'https://modelseal.dev/buildtypes/ml-training/v1',
    );
    const vx = await modelseal(['verify-attestation', ref, '--type', 'cyclonedx', '--key', PUB]);
    expect([vx.code, vx.stderr.trim()]).toEqual([
      1,
      "modelseal: error[ATTESTATION_MISSING]: no attestation found (wanted predicateType 'https://cyclonedx.org/bom')",
    ]);

    const dest = path.join(tmp, 'pulled');
    const pull = await modelseal(['pull', ref, dest, '--verify', '--key', PUB]);
    expect(pull.code, pull.stderr).toBe(0);
    const local = await modelseal(['verify', dest, '--key', PUB]);
    expect(local.code, local.stderr).toBe(0);
    expect(readFileSync(path.join(dest, 'config.json'), 'utf8')).toBe(
      readFileSync(path.join(MODEL, 'config.json'), 'utf8'),
    );

    const wrong = path.join(tmp, 'pulled-wrong');
    const bad = await modelseal([
      'pull',
      ref,
      wrong,
      '--verify',
      '--certificate-chain',
      pki.otherRoot.certPath,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error\[UNTRUSTED_CHAIN\]/);
    expect(existsSync(wrong)).toBe(false);
    const noTrust = await modelseal(['pull', ref, wrong, '--verify']);
    expect(noTrust.code).toBe(2);
    expect(existsSync(wrong)).toBe(false);
  }, 120_000);
});

function writeProvenance(): void {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://modelseal.dev/buildtypes/ml-training/v1',
        externalParameters: { parameters: {} },
      },
      runDetails: { builder: { id: 'https://modelseal.dev/builders/local/v1' } },
    },
  };
  writeFileSync(path.join(tmp, 'prov.json'), JSON.stringify(statement));
}
