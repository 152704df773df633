// Issue 14 #2: `sign` never destroys files. The signature path may not be the key, a
// certificate, a model file or any other non-bundle file; an existing signature is replaced only
// with --overwrite.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_ENV, TEST_KEY, cliSandbox, ensureBuilt, signArgs } from './cli-process.js';

const box = cliSandbox('ms-hard-sign-');
beforeAll(ensureBuilt);
afterAll(box.cleanup);

let n = 0;
function model(): string {
  const dir = path.join(box.dir, `m${n++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(1000, 7));
  writeFileSync(path.join(dir, 'config.json'), '{"a":1}\n');
  return dir;
}

describe('sign never destroys files (issue 14 #2)', () => {
  it('refuses --signature equal to the private key and leaves the key intact', () => {
    const key = path.join(box.dir, 'copy.key');
    copyFileSync(TEST_KEY, key);
    const before = readFileSync(key);
    const r = box.run(
      signArgs(model(), '--signature', key).map((a) => (a === TEST_KEY ? key : a)),
      PASSWORD_ENV,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: refusing to write the signature over '${key}', a key or certificate used to sign; choose another --signature\n`,
    );
    expect(readFileSync(key)).toEqual(before);
  });

  it('refuses a --signature that is a model file and leaves the weights intact', () => {
    const m = model();
    const w = path.join(m, 'weights.bin');
    const r = box.run(signArgs(m, '--signature', w), PASSWORD_ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: refusing to replace '${w}': it exists and is not a signature (Sigstore bundle); choose another --signature\n`,
    );
    expect(readFileSync(w)).toEqual(Buffer.alloc(1000, 7));
  });

  it('refuses to sign a single-file model over itself', () => {
    const f = path.join(model(), 'weights.bin');
    const r = box.run(signArgs(f, '--signature', f), PASSWORD_ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^modelseal: error\[DEST_EXISTS\]: refusing to replace '.*weights\.bin': it exists and is not a signature/,
    );
    expect(readFileSync(f)).toEqual(Buffer.alloc(1000, 7));
  });

  it('refuses a directory as the signature path', () => {
    const m = model();
    mkdirSync(path.join(m, 'sub'));
    const r = box.run(signArgs(m, '--signature', path.join(m, 'sub')), PASSWORD_ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: refusing to write the signature to '${path.join(m, 'sub')}': it exists and is not a regular file\n`,
    );
  });

  it('replaces an existing model.sig only with --overwrite', () => {
    const m = model();
    const sig = path.join(m, 'model.sig');
    expect(box.run(signArgs(m), PASSWORD_ENV).code).toBe(0);
    const first = readFileSync(sig);
    const again = box.run(signArgs(m), PASSWORD_ENV);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: signature '${sig}' already exists; pass --overwrite to replace it\n`,
    );
    expect(readFileSync(sig)).toEqual(first);
    const o = box.run(signArgs(m, '--overwrite'), PASSWORD_ENV);
    expect(o.code).toBe(0);
    // ECDSA signatures are randomized: a new bundle was written.
    expect(readFileSync(sig)).not.toEqual(first);
    expect(JSON.parse(readFileSync(sig, 'utf8')).mediaType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json',
    );
  });

  it('--help documents --overwrite', () => {
    expect(box.run(['sign', '--help']).stdout).toContain('--overwrite');
  });
});
