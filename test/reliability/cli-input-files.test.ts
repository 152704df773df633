// Issue 22 #5 through the CLI: a signature, key, policy or predicate that is a FIFO or a symlink to
// /dev/zero is refused at once with exit 2 and one UNREADABLE line: nothing hangs, nothing reads
// gigabytes. Real files, a real mkfifo, the built CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliSandbox,
  ensureBuilt,
  PASSWORD_ENV,
  signArgs,
  TEST_KEY,
  TEST_PUB,
} from '../hardening/cli-process.js';

const box = cliSandbox('ms-input-files-');
const model = path.join(box.dir, 'model');
const fifo = path.join(box.dir, 'fifo');
const zero = path.join(box.dir, 'zero');

beforeAll(() => {
  ensureBuilt();
  mkdirSync(model);
  writeFileSync(path.join(model, 'weights.bin'), Buffer.alloc(171, 7));
  const r = box.run(signArgs(model), PASSWORD_ENV);
  if (r.code !== 0) throw new Error(r.stderr);
  execFileSync('mkfifo', [fifo]);
  symlinkSync('/dev/zero', zero);
});
afterAll(() => box.cleanup());

function timedRun(args: string[]) {
  const t0 = performance.now();
  const r = box.run(args, PASSWORD_ENV);
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}

const KIND = { fifo: 'a FIFO', zero: 'a character device' } as const;

describe.each(['fifo', 'zero'] as const)('an input file that is %s', (which) => {
  const file = which === 'fifo' ? fifo : zero;
  it.each([
    ['signature', () => ['verify', model, '--key', TEST_PUB, '--signature', file], 'signature'],
    ['public key', () => ['verify', model, '--key', file], 'public key'],
    ['policy', () => ['verify', model, '--policy', file], 'policy'],
    ['predicate', () => ['attest', model, '--predicate', file, '--key', TEST_KEY], 'predicate'],
  ])('%s: exit 2 at once with one UNREADABLE line', (_name, args, what) => {
    const r = timedRun(args());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^modelseal: error\\[UNREADABLE\\]: .*${path.basename(file)}.*${KIND[which]}, not a regular file.*\\n$`,
      ),
    );
    expect(r.stderr).toContain(what === 'public key' ? file : `${what} `);
    expect(r.seconds).toBeLessThan(15);
  });
});
