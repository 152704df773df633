import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFiles } from '../../digest/hash-files.js';
import { walkModel } from '../../model/walk-model.js';
import { packModel } from './pack-model.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function pack(files: Record<string, string>, name = 'm') {
  const dir = join(tmp, name);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  const tree = await walkModel(dir);
  return packModel(
    tree,
    await hashFiles(tree, { config: { method: 'files', hashType: 'sha256', shardSize: 0 }, jobs: 1 }),
  );
}

describe('packModel', () => {
  it('records the weight format when every known weight shares it', async () => {
    const p = await pack(
      { 'a.safetensors': 'A', 'b.safetensors': 'B', 'config.json': '{}', 'notes.xyz': '?' },
      'fmt',
    );
    expect(JSON.parse(p.config.bytes.toString()).config).toEqual({ format: 'safetensors' });
    const mixed = await pack({ 'a.safetensors': 'A', 'b.gguf': 'B' }, 'mixed');
    expect(JSON.parse(mixed.config.bytes.toString()).config).toEqual({});
  });

  it('names a single-file model layer by its file name', async () => {
    const dir = join(tmp, 'single');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.gguf'), 'GGUF');
    const tree = await walkModel(join(dir, 'model.gguf'));
    const p = await packModel(
      tree,
      await hashFiles(tree, { config: { method: 'files', hashType: 'sha256', shardSize: 0 }, jobs: 1 }),
    );
    expect(p.layers.map((l) => l.path)).toEqual(['model.gguf']);
    expect(p.manifest.document.layers[0].annotations?.['org.cncf.model.filepath']).toBe('model.gguf');
  });

  it('refuses resources that are not sha256 file digests', async () => {
    const dir = join(tmp, 'blake');
    mkdirSync(dir);
    writeFileSync(join(dir, 'w.bin'), 'W');
    const tree = await walkModel(dir);
    const resources = await hashFiles(tree, {
      config: { method: 'files', hashType: 'blake3', shardSize: 0 },
      jobs: 1,
    });
    await expect(packModel(tree, resources)).rejects.toMatchObject({ code: 'MANIFEST_INCONSISTENT' });
  });
});
