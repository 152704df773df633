// The hf-tiny-llama fixture model as tests expect it: its path, each file's SHA-256 as `sha256sum`
// prints it (written down, not computed by the code under test), the OMS root derived from them, and
// the model card its SBOM must carry.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** fixtures/models/hf-tiny-llama */
export const HF_TINY_LLAMA = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/models/hf-tiny-llama',
);

/** `sha256sum fixtures/models/hf-tiny-llama/*` */
export const SHA256SUM: Readonly<Record<string, string>> = {
  'README.md': '5f1ae676a4bd965e5ca00712ad3cdc56681a9519bb4d9c232994828ed0a37839',
  'config.json': '13daa2dfca0d46b75849fe3047dcabeadd1c457235d78873e8109b342093f265',
  'generation_config.json': '4a41c64532a6fd41ef017b68f4796b5f644389cef55bbb83ee37f1f720f8f6d9',
  'model.safetensors': '5716247916c09dd38c3888afa334fd9a5d4e549e9b7fb76c3550241f9992db81',
  'tokenizer.json': 'f37a66b204530079dddf8e6f3f37f73e69f22216864aa44db307c23563b67dfc',
};

/** The OMS root (hex): SHA-256 over the raw file digests in UTF-8 byte order of the names. */
export const HF_TINY_LLAMA_ROOT = createHash('sha256')
  .update(
    Buffer.concat(
      Object.keys(SHA256SUM)
        .sort()
        .map((n) => Buffer.from(SHA256SUM[n], 'hex')),
    ),
  )
  .digest('hex');

/**
 * The CycloneDX `modelCard` modelseal's SBOM must derive from the fixture's config.json,
 * generation_config.json and README front matter (read off the files, not produced by the code).
 */
export const HF_TINY_LLAMA_MODEL_CARD = {
  modelParameters: {
    task: 'text-generation',
    architectureFamily: 'llama',
    modelArchitecture: 'LlamaForCausalLM',
    datasets: [{ ref: 'dataset:roneneldan/TinyStories' }],
  },
  quantitativeAnalysis: {
    performanceMetrics: [{ type: 'perplexity', value: '7.31', slice: 'TinyStories-valid' }],
  },
  properties: [
    { name: 'huggingface:torch_dtype', value: 'bfloat16' },
    { name: 'huggingface:generation_config.bos_token_id', value: '1' },
    { name: 'huggingface:generation_config.eos_token_id', value: '2' },
    { name: 'huggingface:generation_config.max_length', value: '256' },
    { name: 'huggingface:generation_config.temperature', value: '0.7' },
    { name: 'huggingface:generation_config.transformers_version', value: '4.44.2' },
    { name: 'huggingface:language', value: 'en' },
    { name: 'huggingface:language', value: 'fr' },
  ],
};
