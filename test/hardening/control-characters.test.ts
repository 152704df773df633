// Issue 14 #3: file names with ESC, CR or LF never reach the terminal raw. Human output (inspect,
// verify, pull, errors) shows them escaped and one-line errors stay one line; --json keeps the
// exact names.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_ENV, TEST_PUB, cliSandbox, ensureBuilt, signArgs } from './cli-process.js';

const box = cliSandbox('ms-hard-esc-');
beforeAll(ensureBuilt);
afterAll(box.cleanup);

const EVIL = 'evil\x1b]0;pwned\x07\x1b[2J.bin';
const EVIL_SHOWN = 'evil\\x1b]0;pwned\\x07\\x1b[2J.bin';
const LF = 'line\nbreak.txt';
const CR = 'cr\rname.txt';
/** No raw control character but newlines (line counts are checked separately). */
const clean = (s: string) => expect(s).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);

function model(name: string): string {
  const dir = path.join(box.dir, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, EVIL), 'w');
  writeFileSync(path.join(dir, LF), 'x');
  writeFileSync(path.join(dir, CR), 'y');
  return dir;
}

describe('control characters in names are escaped in human output (issue 14 #3)', () => {
  it('verify: a tampered file with ESC in its name gives one escaped error line; --json keeps the name', () => {
    const m = model('m1');
    expect(box.run(signArgs(m), PASSWORD_ENV).code).toBe(0);
    writeFileSync(path.join(m, EVIL), 'W');
    const r = box.run(['verify', m, '--key', TEST_PUB]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^modelseal: error\[TAMPERED_FILE\]: .*\n$/);
    expect(r.stderr).toContain(EVIL_SHOWN);
    clean(r.stderr);
    const j = box.run(['verify', m, '--key', TEST_PUB, '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).error.message).toContain(EVIL);
  });

  it('verify: an unsigned file named with LF and CR is one error line', () => {
    const m = model('m2');
    expect(box.run(signArgs(m), PASSWORD_ENV).code).toBe(0);
    writeFileSync(path.join(m, 'new\nfile\r'), 'z');
    const r = box.run(['verify', m, '--key', TEST_PUB]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^modelseal: error\[EXTRA_FILE\]: [^\n]*new\\nfile\\r[^\n]*\n$/);
    clean(r.stderr);
  });

  it('verify: the success line escapes the model path', () => {
    const m = model('m3\x1b[31mRED');
    expect(box.run(signArgs(m), PASSWORD_ENV).code).toBe(0);
    const r = box.run(['verify', m, '--key', TEST_PUB]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^verified .*m3\\x1b\[31mRED: sha256:[0-9a-f]{64}, 3 files, signed by key [0-9a-f]{64}\n$/,
    );
  });

  it('inspect and pull escape layer paths and DEST; inspect --json keeps exact paths', () => {
    const m = model('m4');
    expect(box.run(['push', m, 'oci:./layout:v1']).code).toBe(0);
    const i = box.run(['inspect', 'oci:./layout:v1']);
    expect(i.code).toBe(0);
    clean(i.stdout);
    expect(i.stdout.split('\n')).toHaveLength(12); // 11 lines: reference, 5 fields and annotations, 3 layers, referrers
    expect(i.stdout).toMatch(
      new RegExp(`vnd\\.cncf\\.model\\.weight\\.v1\\.raw  ${EVIL_SHOWN.replace(/[\\[\]]/g, '\\$&')}\\n`),
    );
    expect(i.stdout).toContain('  line\\nbreak.txt\n');
    expect(i.stdout).toContain('  cr\\rname.txt\n');
    const j = JSON.parse(box.run(['inspect', 'oci:./layout:v1', '--json']).stdout);
    expect(j.layers.map((l: { path: string }) => l.path).sort()).toEqual([CR, EVIL, LF].sort());

    const p = box.run(['pull', 'oci:./layout:v1', 'dest\x1b]0;x\x07']);
    expect(p.code).toBe(0);
    clean(p.stderr);
    expect(p.stderr).toMatch(/^pulled 3 files \(3 B, modelpack\) into dest\\x1b\]0;x\\x07 in [\d.]+ s\n$/);
    const again = box.run(['pull', 'oci:./layout:v1', 'dest\x1b]0;x\x07']);
    expect(again.code).toBe(2);
    expect(again.stderr.split('\n')).toHaveLength(2);
    expect(again.stderr).toContain('dest\\x1b]0;x\\x07');
    clean(again.stderr);
  });
});
