// Issue 14 #13: one ignore rule for every verb. `hash` after `sign` prints the root `sign` signed
// (the default model.sig is left out), and `push` of a signed model annotates that same root.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_ENV, TEST_PUB, cliSandbox, ensureBuilt, signArgs } from './cli-process.js';

const box = cliSandbox('ms-hard-ignore-');
beforeAll(ensureBuilt);
afterAll(box.cleanup);

describe('hash, sign, verify and push agree on the root (issue 14 #13)', () => {
  it('hash before and after sign, the signed root and the pushed annotation are one digest', () => {
    const m = path.join(box.dir, 'model');
    mkdirSync(m);
    writeFileSync(path.join(m, 'weights.bin'), Buffer.alloc(3000, 3));
    writeFileSync(path.join(m, 'config.json'), '{"x":1}\n');
    const before = box.run(['hash', m]);
    expect(before.code).toBe(0);
    const root = before.stdout.trim();

    const s = box.run([...signArgs(m), '--json'], PASSWORD_ENV);
    expect(s.code).toBe(0);
    expect(`sha256:${JSON.parse(s.stdout).root}`).toBe(root);

    const after = box.run(['hash', m]);
    expect(after.stdout).toBe(`${root}\n`);
    const j = JSON.parse(box.run(['hash', m, '--json']).stdout);
    expect(j.resources.map((r: { name: string }) => r.name)).toEqual(['config.json', 'weights.bin']);
    expect(j.ignorePaths).toEqual(['.git', '.gitattributes', '.github', '.gitignore']);

    expect(box.run(['verify', m, '--key', TEST_PUB]).stdout).toContain(`: ${root}, 2 files,`);

    const p = box.run(['push', m, 'oci:./layout:v1', '--json']);
    expect(p.code).toBe(0);
    const pushed = JSON.parse(p.stdout);
    expect(pushed.layers.map((l: { path: string }) => l.path).sort()).toEqual(['config.json', 'weights.bin']);
    const manifest = JSON.parse(
      readFileSync(path.join(box.dir, 'layout/blobs/sha256', pushed.digest.slice(7)), 'utf8'),
    );
    expect(manifest.annotations['dev.modelseal.oms.root']).toBe(root);
  });

  it('the root is the one computed without modelseal', async () => {
    const { createHash } = await import('node:crypto');
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest();
    const expected = createHash('sha256')
      .update(Buffer.concat([sha('{"x":1}\n'), sha(Buffer.alloc(3000, 3))]))
      .digest('hex');
    const m = path.join(box.dir, 'model');
    expect(box.run(['hash', m]).stdout).toBe(`sha256:${expected}\n`);
  });
});
