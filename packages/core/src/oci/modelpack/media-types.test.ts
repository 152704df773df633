import { describe, expect, it } from 'vitest';
import { classifyFile, compileGlobs } from './media-types.js';

describe('classifyFile', () => {
  it.each([
    ['model.safetensors', 'weight'],
    ['shards/model-00001-of-00004.safetensors', 'weight'],
    ['pytorch_model.bin', 'weight'],
    ['llama.Q4_K_M.gguf', 'weight'],
    ['model.onnx', 'weight'],
    ['tf_model.h5', 'weight'],
    ['flax_model.msgpack', 'weight'],
    ['config.json', 'weight.config'],
    ['generation_config.json', 'weight.config'],
    ['tokenizer.json', 'weight.config'],
    ['tokenizer_config.json', 'weight.config'],
    ['tokenizer.model', 'weight.config'],
    ['special_tokens_map.json', 'weight.config'],
    ['vocab.txt', 'weight.config'],
    ['merges.txt', 'weight.config'],
    ['model.safetensors.index.json', 'weight.config'],
    ['README.md', 'doc'],
    ['LICENSE', 'doc'],
    ['docs/usage.txt', 'doc'],
    ['model.sig', 'doc'],
    ['attestations/provenance.sigstore.json', 'doc'],
    ['modeling_tiny.py', 'code'],
    ['scripts/serve.sh', 'code'],
    ['requirements.txt', 'code'],
  ])('%s -> %s', (path, kind) => {
    expect(classifyFile(path)).toEqual({ kind, untested: false });
  });

  it('marks unknown files as untested weights', () => {
    expect(classifyFile('blob.xyz')).toEqual({ kind: 'weight', untested: true });
    expect(classifyFile('noextension')).toEqual({ kind: 'weight', untested: true });
  });

  it('makes datasets only of what the user declares', () => {
    const isDataset = compileGlobs(['data/**', '*.parquet']);
    expect(classifyFile('data/train.csv', isDataset)).toEqual({ kind: 'dataset', untested: false });
    expect(classifyFile('eval/x.parquet', isDataset)).toEqual({ kind: 'dataset', untested: false });
    expect(classifyFile('train.csv', isDataset)).toEqual({ kind: 'weight', untested: true });
    expect(classifyFile('config.json', isDataset)).toEqual({ kind: 'weight.config', untested: false });
  });
});
