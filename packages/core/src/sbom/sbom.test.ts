// sbom() (and buildSbom, fed a hand-made source) on a fixture model with a real-looking Hugging Face config.json, generation_config.json
// and README front matter: the model as metadata.component (hash = OMS root, no purl for a directory),
// file hashes (from sha256sum), the dependency graph, the model card, datasets, pedigree, licence,
// serialNumber and tool; strict 1.6 validation; an invalid document is INVALID_SBOM.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HF_TINY_LLAMA as MODEL,
  HF_TINY_LLAMA_MODEL_CARD,
  HF_TINY_LLAMA_ROOT,
  SHA256SUM,
} from '../../../../test/hf-tiny-llama.js';
import { rejectionOf } from '../../../../test/rejection.js';
import { buildSbom, validateSbom, type SbomSource } from './cyclonedx-bom.js';
import { sbom } from './sbom.js';
import { frontMatter } from './model-card.js';

describe('sbom on hf-tiny-llama', () => {
  it('describes the model in metadata.component (OMS root as its hash) depending on every file, dataset and base model', async () => {
    const bom = await sbom(MODEL, { jobs: 1 });
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(bom.metadata?.tools).toEqual({
      components: [{ type: 'application', name: 'modelseal', version: '0.1.0' }],
    });
    const root = HF_TINY_LLAMA_ROOT; // from the sha256sum digests, not from the hasher
    const { modelCard, pedigree, ...model } = bom.metadata?.component ?? { type: '', name: '' };
    expect(modelCard).toBeDefined();
    expect(pedigree).toEqual({
      ancestors: [{ type: 'machine-learning-model', name: 'acme/tiny-llama-base' }],
    });
    expect(model).toEqual({
      type: 'machine-learning-model',
      name: 'hf-tiny-llama',
      'bom-ref': 'model',
      hashes: [{ alg: 'SHA-256', content: root }],
      licenses: [{ expression: 'Apache-2.0' }],
      properties: [{ name: 'modelseal:oms-root-sha256', value: root }],
    });
    const files = bom.components?.filter((c) => c.type === 'file') ?? [];
    expect(files).toEqual(
      Object.entries(SHA256SUM)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, h]) => ({
          type: 'file',
          name,
          'bom-ref': `file:${name}`,
          hashes: [{ alg: 'SHA-256', content: h }],
        })),
    );
    const refs = [
      'base-model:acme/tiny-llama-base',
      'dataset:roneneldan/TinyStories',
      'file:config.json',
      'file:generation_config.json',
      'file:model.safetensors',
      'file:README.md',
      'file:tokenizer.json',
    ];
    expect(bom.components?.map((c) => c['bom-ref'])).toEqual(refs);
    expect(bom.dependencies).toEqual([...refs.map((ref) => ({ ref })), { ref: 'model', dependsOn: refs }]);
    await validateSbom(JSON.stringify(bom));
  });

  it('fills the model card from config.json, generation_config.json and the README front matter', async () => {
    const bom = await sbom(MODEL, { jobs: 1 });
    const model = bom.metadata?.component;
    expect(model?.modelCard).toEqual(HF_TINY_LLAMA_MODEL_CARD);
    expect(bom.components?.find((c) => c.type === 'machine-learning-model')).toEqual({
      type: 'machine-learning-model',
      name: 'acme/tiny-llama-base',
      'bom-ref': 'base-model:acme/tiny-llama-base',
    });
    const data = bom.components?.find((c) => c.type === 'data');
    expect(data).toEqual({
      type: 'data',
      name: 'roneneldan/TinyStories',
      'bom-ref': 'dataset:roneneldan/TinyStories',
      data: [{ type: 'dataset', name: 'roneneldan/TinyStories' }],
    });
  });

  it('a licence that is not SPDX stays a named licence; a model with no card files has an empty card', async () => {
    const src: SbomSource = {
      name: 'x',
      files: [{ name: 'w.bin', sha256: '00'.repeat(32) }],
      read: async (n) => (n === 'README.md' ? Buffer.from('---\nlicense: llama2\n---\n# x\n') : undefined),
    };
    const bom = await buildSbom(src);
    const model = bom.metadata?.component;
    expect(model?.licenses).toEqual([{ license: { name: 'llama2' } }]);
    expect(model?.modelCard).toEqual({});
    // one file and no OMS root given: the model's hash is the file's
    expect(model?.hashes).toEqual([{ alg: 'SHA-256', content: '00'.repeat(32) }]);
    expect(bom.dependencies).toEqual([{ ref: 'file:w.bin' }, { ref: 'model', dependsOn: ['file:w.bin'] }]);
  });
});

describe('validateSbom', () => {
  it('an unknown modelCard key or a bad hash is INVALID_SBOM', async () => {
    const bom = await sbom(MODEL, { jobs: 1 });
    await validateSbom(JSON.stringify(bom));
    const model = bom.metadata?.component;
    if (!model?.modelCard) throw new Error('no model card');
    (model.modelCard as Record<string, unknown>).accuracy = 0.9;
    const e = await rejectionOf(validateSbom(JSON.stringify(bom)));
    expect([e.code, e.message]).toEqual([
      'INVALID_SBOM',
      'the CycloneDX 1.6 BOM is invalid: /metadata/component/modelCard must NOT have additional properties',
    ]);
    delete (model.modelCard as Record<string, unknown>).accuracy;
    model.hashes = [{ alg: 'SHA-256', content: 'not-hex' }];
    expect((await rejectionOf(validateSbom(JSON.stringify(bom)))).code).toBe('INVALID_SBOM');
  });
});

describe('frontMatter', () => {
  it('reads the YAML block at the top only', () => {
    expect(frontMatter(readFileSync(path.join(MODEL, 'README.md'), 'utf8'))?.license).toBe('apache-2.0');
    expect(frontMatter('# title\n---\nlicense: mit\n---\n')).toBeUndefined();
    expect(frontMatter('---\n: : bad\n---\n')).toBeUndefined();
  });
});
