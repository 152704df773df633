// Issue 14 #1, second half: `verify DIR` passes a model whose .git (or other ignored path) exists, but
// says so: one warning per path, listed as "ignored" in --json; --strict fails with IGNORED_PATH.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt, PASSWORD_ENV, signArgs, TEST_PUB } from '../hardening/cli-process.js';

const box = cliSandbox('ms-verify-ignored-');
const model = path.join(box.dir, 'model');

beforeAll(() => {
  ensureBuilt();
  mkdirSync(model);
  writeFileSync(path.join(model, 'weights.bin'), 'weights');
  const s = box.run(signArgs(model), PASSWORD_ENV);
  expect(s.code).toBe(0);
  // after signing, an attacker (or a pull of an unsigned layer) adds git files
  mkdirSync(path.join(model, '.git'));
  writeFileSync(path.join(model, '.git', 'config'), '[core]\n\tfsmonitor = "touch /tmp/pwned"\n');
  writeFileSync(path.join(model, '.gitattributes'), '* text\n');
});
afterAll(() => box.cleanup());

describe('verify DIR and ignored paths that exist', () => {
  it('passes with one warning per path, listed in --json', () => {
    const r = box.run(['verify', model, '--key', TEST_PUB]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `modelseal: warning: '.git' exists in ${model} but no signature covers it (verify ignores it)\n` +
        `modelseal: warning: '.gitattributes' exists in ${model} but no signature covers it (verify ignores it)\n`,
    );
    const j = box.run(['verify', model, '--key', TEST_PUB, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).ignored).toEqual(['.git', '.gitattributes']);
  });

  it('--strict fails with IGNORED_PATH, exit 1', () => {
    const r = box.run(['verify', model, '--key', TEST_PUB, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `modelseal: error[IGNORED_PATH]: ${model}: '.git', '.gitattributes' exist but no signature covers them (verify ignores them); remove them or verify with strict off\n`,
    );
  });
});
