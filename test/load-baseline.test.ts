// loadBaseline(source): one verb for the signed state a watch compares against, from a signature
// file beside a model on disk or from an artifact's OMS signature referrer (here an OCI layout made
// by `push --sign`). The same signed files give the same baseline either way; a missing path is
// NOT_FOUND, and an artifact without `directory` or with `signaturePath` is USAGE, before any request.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVerifier } from '../packages/core/src/index.js';
import { loadPublicKey, newKeyPair } from '../packages/core/src/keys.js';
import { openModelSource } from '../packages/core/src/source/open-model-source.js';
import { loadBaseline } from '../packages/core/src/watch/index.js';
import { runCliInProcess } from './cli-in-process.js';
import { REPO } from './signed-model.js';

const MODEL = path.join(REPO, 'fixtures/models/hf-tiny-llama');
const KEY = path.join(REPO, 'fixtures/keys/test.key');
const verifier = keyVerifier({
  publicKey: loadPublicKey(readFileSync(path.join(REPO, 'fixtures/keys/test.pub'), 'utf8'), 'test.pub'),
});
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-baseline-'));
const dir = path.join(tmp, 'model');
const deployed = path.join(tmp, 'deployed');
const layout = `oci:${path.join(tmp, 'layout')}:v1`;

async function cli(...args: string[]): Promise<void> {
  const r = await runCliInProcess(args, { env: { COSIGN_PASSWORD: 'modelseal-test' } });
  if (r.code !== 0) throw new Error(`modelseal ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
}

beforeAll(async () => {
  cpSync(MODEL, dir, { recursive: true });
  cpSync(MODEL, deployed, { recursive: true });
  await cli('push', MODEL, layout, '--sign', '--key', KEY);
  await cli('sign', dir, '--key', KEY);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadBaseline', () => {
  it('a model on disk: its model.sig, the same from a path and an opened source', async () => {
    const b = await loadBaseline(dir, { verifier });
    expect(b.root).toBe(path.resolve(dir));
    expect(b.signaturePath).toBe(path.join(path.resolve(dir), 'model.sig'));
    expect(b.signer.kind).toBe('key');
    expect([...b.expected.keys()].sort()).toEqual([
      'README.md',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
    ]);
    expect(b.expected.size).toBe(b.manifest.resources.length);
    expect(await loadBaseline(await openModelSource(dir), { verifier })).toEqual(b);
  });

  it('an artifact: its OMS referrer gives the same signed files, described for the deployed directory', async () => {
    const fromDisk = await loadBaseline(dir, { verifier });
    const b = await loadBaseline(layout, { verifier, directory: deployed });
    expect(b.root).toBe(path.resolve(deployed));
    expect(b.signaturePath).toBe(path.join(path.resolve(deployed), 'model.sig'));
    expect(b.manifest.root).toBe(fromDisk.manifest.root);
    expect(b.expected).toEqual(fromDisk.expected);
    expect(await loadBaseline(await openModelSource(layout), { verifier, directory: deployed })).toEqual(b);
  });

  it('another key is refused for both sources', async () => {
    const other = keyVerifier({ publicKey: newKeyPair().publicKey });
    await expect(loadBaseline(dir, { verifier: other })).rejects.toMatchObject({ code: 'WRONG_KEY' });
    await expect(loadBaseline(layout, { verifier: other, directory: deployed })).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
  });

  it('a missing path is NOT_FOUND; an artifact without directory or with signaturePath is USAGE', async () => {
    await expect(loadBaseline(path.join(tmp, 'typo'), { verifier })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // nothing listens on port 1: reaching the registry would be a REGISTRY error, not USAGE
    const closed = '127.0.0.1:1/models/m:v1';
    await expect(loadBaseline(closed, { verifier })).rejects.toMatchObject({
      code: 'USAGE',
      message:
        'a baseline from the artifact 127.0.0.1:1/models/m:v1 needs directory: the deployed copy it describes',
    });
    await expect(
      loadBaseline(closed, { verifier, directory: deployed, signaturePath: 'model.sig' }),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^option signaturePath is for a model on disk; /),
    });
  });
});
