// `modelseal sbom REF` and `modelseal provenance REF` through the real CLI, against a real
// docker-registry behind a logging proxy and an OCI layout: the BOM's file digests come from the
// manifest, only the three model-card layers are fetched (blob GETs counted; in the layout the weight
// blobs are deleted first), the model card equals the directory's, the BOM validates; a card layer
// whose bytes do not match its digest is refused; the model is metadata.component with its exact purl
// (pkg:oci, manifest digest, repository_url for a registry, none for a layout), version, hash and
// dependsOn; provenance subjects are the manifest digest + OMS root.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slsaProvenanceV1Schema, validateSbom } from '../packages/core/src/attest/index.js';
import type { CdxBomJson } from '../packages/core/src/attest/index.js';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import {
  HF_TINY_LLAMA as MODEL,
  HF_TINY_LLAMA_MODEL_CARD as MODEL_CARD,
  HF_TINY_LLAMA_ROOT as ROOT,
  SHA256SUM,
} from './hf-tiny-llama.js';
import { startFaultProxy, type FaultProxy } from './registry/fault-proxy.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-attest-oci-sbom-'));

const CARD = ['README.md', 'config.json', 'generation_config.json'];
const WEIGHTS = ['model.safetensors', 'tokenizer.json'];

function modelseal(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: tmp, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

let registry: RunningRegistry;
let proxy: FaultProxy;
beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const blobGets = () =>
  proxy.log
    .filter((r) => r.method === 'GET' && /\/blobs\/sha256:/.test(r.path))
    .map((r) => r.path.replace(/^.*\/blobs\//, ''));
const digestOf = (file: string) => `sha256:${SHA256SUM[file]}`;

const DEPENDS_ON = [
  'base-model:acme/tiny-llama-base',
  'dataset:roneneldan/TinyStories',
  'file:config.json',
  'file:generation_config.json',
  'file:model.safetensors',
  'file:README.md',
  'file:tokenizer.json',
];

function checkBom(bom: CdxBomJson, manifestDigest: string, name: string, purl: string): void {
  expect(bom.metadata?.component).toEqual({
    type: 'machine-learning-model',
    name,
    'bom-ref': 'model',
    version: manifestDigest,
    purl,
    hashes: [{ alg: 'SHA-256', content: manifestDigest.slice('sha256:'.length) }],
    licenses: [{ expression: 'Apache-2.0' }],
    properties: [
      { name: 'modelseal:oci-manifest-digest', value: manifestDigest },
      { name: 'modelseal:oms-root-sha256', value: ROOT },
    ],
    modelCard: MODEL_CARD,
    pedigree: { ancestors: [{ type: 'machine-learning-model', name: 'acme/tiny-llama-base' }] },
  });
  const files = (bom.components ?? []).filter((c) => c.type === 'file');
  expect(Object.fromEntries(files.map((c) => [c.name, c.hashes]))).toEqual(
    Object.fromEntries(Object.entries(SHA256SUM).map(([n, h]) => [n, [{ alg: 'SHA-256', content: h }]])),
  );
  expect(bom.dependencies?.find((d) => d.ref === 'model')).toEqual({ ref: 'model', dependsOn: DEPENDS_ON });
  expect(bom.components?.map((c) => c['bom-ref'])).toEqual(DEPENDS_ON);
}

describe('sbom REF / provenance REF on a registry', () => {
  it('fetches the three model-card layers once each and no weight layer; the BOM validates', async () => {
    const ref = `${proxy.host}/models/tiny:v1`;
    const pushed = await pushModel(MODEL, ref, { jobs: 1 });
    expect(pushed.layers.map((l) => l.digest).sort()).toEqual(Object.keys(SHA256SUM).map(digestOf).sort());

    proxy.log.length = 0;
    const out = path.join(tmp, 'bom.json');
    const r = await modelseal(['sbom', ref, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(blobGets().sort()).toEqual(CARD.map(digestOf).sort());
    const text = readFileSync(out, 'utf8');
    await validateSbom(text);
    checkBom(
      JSON.parse(text) as CdxBomJson,
      pushed.digest,
      'tiny',
      `pkg:oci/tiny@${pushed.digest}?repository_url=${encodeURIComponent(`${proxy.host}/models/tiny`)}&tag=v1`,
    );

    proxy.log.length = 0;
    const p = await modelseal([
      'provenance',
      ref,
      '--no-source',
      '--build-type',
      'ml-training',
      '--started-on',
      '2026-11-30T01:00:00Z',
      '--finished-on',
      '2026-11-30T02:00:00Z',
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(blobGets()).toEqual([]);
    const statement = JSON.parse(p.stdout) as { subject: unknown; predicateType: string; predicate: unknown };
    expect(statement.subject).toEqual([
      { name: `${proxy.host}/models/tiny`, digest: { sha256: pushed.digest.slice(7) } },
      { name: 'tiny', digest: { sha256: ROOT } },
    ]);
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(slsaProvenanceV1Schema.safeParse(statement.predicate).success).toBe(true);
  }, 60_000);

  it('a model-card layer whose bytes do not match its digest is refused while it streams', async () => {
    const ref = `${proxy.host}/models/tiny-bad:v1`;
    await pushModel(MODEL, ref, { jobs: 1 });
    proxy.corruptBlob(digestOf('config.json'));
    const r = await modelseal(['sbom', ref]);
    expect([r.code, r.stdout, r.stderr.trim()]).toEqual([
      1,
      '',
      expect.stringMatching(
        new RegExp(
          `^modelseal: error\\[DIGEST_MISMATCH\\]: ${proxy.host}/models/tiny-bad:v1 layer config\\.json: content hashes to sha256:[0-9a-f]{64} \\(545 bytes\\), expected ${digestOf('config.json')} \\(545 bytes\\)$`,
        ),
      ),
    ]);
  }, 60_000);
});

describe('sbom REF on an OCI layout', () => {
  it('works with the weight blobs deleted from the layout; a rewritten card blob is DIGEST_MISMATCH', async () => {
    const layout = mkdtempSync(path.join(tmp, 'layout-'));
    const pushed = await pushModel(MODEL, `oci:${layout}:v1`, { jobs: 1 });
    for (const f of WEIGHTS) unlinkSync(path.join(layout, 'blobs/sha256', SHA256SUM[f]));
    const r = await modelseal(['sbom', `oci:${layout}:v1`]);
    expect(r.code, r.stderr).toBe(0);
    await validateSbom(r.stdout);
    const name = path.basename(layout);
    checkBom(
      JSON.parse(r.stdout) as CdxBomJson,
      pushed.digest,
      name,
      `pkg:oci/${name.toLowerCase()}@${pushed.digest}?tag=v1`,
    );

    const readme = path.join(layout, 'blobs/sha256', SHA256SUM['README.md']);
    const bytes = readFileSync(readme);
    bytes[bytes.length - 2] ^= 1;
    writeFileSync(readme, bytes);
    const bad = await modelseal(['sbom', `oci:${layout}:v1`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(
      /^modelseal: error\[DIGEST_MISMATCH\]: oci:.+:v1 layer README\.md: content hashes to sha256:[0-9a-f]{64} \(548 bytes\), expected sha256:5f1ae676a4bd965e5ca00712ad3cdc56681a9519bb4d9c232994828ed0a37839 \(548 bytes\)$/,
    );
  }, 60_000);
});
