// Issue 14 #15: a backslash is an ordinary character in a POSIX file name. `sign` and `verify`
// accept it, as the OMS spec and the Python model_signing CLI do. `push` refuses, before anything
// is uploaded, every name `pull` would refuse (one rule: unsafePathReason), with exit 2.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt, PASSWORD_ENV, signArgs, TEST_PUB } from './cli-process.js';

const box = cliSandbox('ms-hard-backslash-');
const model = (name: string, files: Record<string, string>): string => {
  const dir = path.join(box.dir, name);
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return name;
};
beforeAll(ensureBuilt);
afterAll(box.cleanup);

describe('backslash in file names (issue 14 #15)', () => {
  it('sign then verify a model with a backslash name: verified, and a change to that file is caught', () => {
    const m = model('bs', { 'a\\b.bin': 'weights', 'c.json': '{}' });
    const s = box.run(signArgs(m), PASSWORD_ENV);
    expect(s.stderr).toMatch(/^signed bs \(sha256:[0-9a-f]{64}, 2 resources, key\) -> /);
    expect(s.code).toBe(0);
    const v = box.run(['verify', m, '--key', TEST_PUB, '--json']);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    const out = JSON.parse(v.stdout) as { verified: boolean; files: number };
    expect(out.verified).toBe(true);
    expect(out.files).toBe(2);
    writeFileSync(path.join(box.dir, m, 'a\\b.bin'), 'changed');
    const t = box.run(['verify', m, '--key', TEST_PUB]);
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/^modelseal: error\[TAMPERED_FILE\]: .*a\\b\.bin/);
  });

  it.each([
    ['a\\b.bin', 'contains a backslash'],
    ['C:x.bin', 'absolute path'],
  ])('push refuses %j (exit 2) before anything is uploaded', (name, why) => {
    const m = model(`push-${why.replace(/ /g, '-')}`, { [name]: 'w', 'ok.json': '{}' });
    const r = box.run(['push', m, `oci:${m}-layout:v1`]);
    expect(r.stderr).toBe(
      `modelseal: error[UNPORTABLE_PATH]: cannot push ${m}: file ${JSON.stringify(name)} has a name pull refuses (${why}); rename it. Nothing was uploaded\n`,
    );
    expect(r.code).toBe(2);
    expect(existsSync(path.join(box.dir, `${m}-layout`))).toBe(false);
  });

  it('push of the same model without the name works, so the refusal is about the name only', () => {
    const m = model('push-ok', { 'a_b.bin': 'w', 'ok.json': '{}' });
    const r = box.run(['push', m, 'oci:push-ok-layout:v1']);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(box.dir, 'push-ok-layout')).sort()).toEqual([
      'blobs',
      'index.json',
      'oci-layout',
    ]);
  });
});
