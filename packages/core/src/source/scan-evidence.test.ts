import { describe, expect, it } from 'vitest';
import { evidenceFromScan } from './scan-evidence.js';

describe('evidenceFromScan', () => {
  it('keeps weight files only, every finding, and every file of unknown format', () => {
    const e = evidenceFromScan({
      clean: false,
      files: [
        { path: 'config.json', format: 'json', weight: false },
        { path: 'model.safetensors', format: 'safetensors', weight: true },
        { path: 'pytorch_model.bin', format: 'pytorch-zip', weight: true },
        { path: 'tokenizer.model', format: 'unknown', weight: false },
      ],
      findings: [
        {
          file: 'pytorch_model.bin',
          kind: 'unsafe-import',
          message: 'pytorch_model.bin: imports posix.system',
        },
      ],
    });
    expect(e).toEqual({
      files: [
        { path: 'model.safetensors', format: 'safetensors' },
        { path: 'pytorch_model.bin', format: 'pytorch-zip' },
      ],
      scan: {
        clean: false,
        findings: [
          {
            path: 'pytorch_model.bin',
            message: 'pytorch_model.bin: imports posix.system',
            code: 'unsafe-import',
          },
        ],
        unknown: ['tokenizer.model'],
      },
    });
  });
});
