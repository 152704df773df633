// Issue 14 #18 and #7: commander's own errors are one `modelseal: error[USAGE]: ...` line with
// exit 2, keygen refuses an empty prefix or password, and --jobs is capped (4 per CPU, at most 64)
// on every command that hashes, as --help says.
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt } from './cli-process.js';

const box = cliSandbox('ms-hard-usage-');
beforeAll(ensureBuilt);
afterAll(box.cleanup);

describe("commander's errors follow the one-line contract (issue 14 #18)", () => {
  it.each([
    [['sign'], "missing required argument 'model'"],
    [['hash', '.', '--bogus'], "unknown option '--bogus'"],
    [['hash', 'a', 'b'], "too many arguments for 'hash'. Expected 1 argument but got 2"],
    [['frob'], "unknown command 'frob'"],
    [['verify', '.', '--key'], "option '--key <file>' argument missing"],
  ])('%j', (args, message) => {
    const r = box.run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`modelseal: error[USAGE]: ${message}; see --help\n`);
  });
});

describe('--jobs is capped (issue 14 #7)', () => {
  const cap = Math.min(64, 4 * availableParallelism());
  const tooMany = `modelseal: error[USAGE]: --jobs must be at most ${cap} (4 per CPU, 64 at most), got 1000\n`;
  it.each(['hash', 'sign', 'verify', 'provenance', 'watch'])(
    '%s refuses more than 4 per CPU (64 at most), and says so in --help',
    (verb) => {
      const r = box.run([verb, '.', '--jobs', '1000']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(tooMany);
      expect(box.run([verb, '--help']).stdout).toMatch(new RegExp(`at\\s+most\\s+${cap}\\)`));
    },
  );
  it('verify --policy checks --jobs before reading the policy', () => {
    const r = box.run(['verify', '.', '--policy', 'absent.yaml', '--jobs', '1000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(tooMany);
  });
  it.each(['provenance', 'watch'])('%s --jobs 0 and --jobs x are usage errors', (verb) => {
    for (const bad of ['0', 'x']) {
      const r = box.run([verb, '.', '--jobs', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`modelseal: error[USAGE]: --jobs must be a positive integer, got '${bad}'\n`);
    }
  });
});

describe('keygen refuses an empty prefix or password (issue 14 #18)', () => {
  it.each(['', 'keys/'])('--output-prefix %j: exit 2, nothing written', (prefix) => {
    const r = box.run(['keygen', '--output-prefix', prefix], { COSIGN_PASSWORD: 'pw' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[USAGE]: --output-prefix must name files (PREFIX.key and PREFIX.pub), got '${prefix}'\n`,
    );
    expect(readdirSync(box.dir)).toEqual([]);
  });
  it('an empty COSIGN_PASSWORD: exit 2, nothing written', () => {
    const r = box.run(['keygen', '--output-prefix', 'k'], { COSIGN_PASSWORD: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'modelseal: error[BAD_PASSWORD]: the password for the new key is empty; choose one, or pass --no-encrypt for a plain key (COSIGN_PASSWORD is set but empty)\n',
    );
    expect(readdirSync(box.dir)).toEqual([]);
  });
  it('--no-encrypt needs no password, and a non-empty one still works', () => {
    expect(
      box.run(['keygen', '--output-prefix', 'plain', '--no-encrypt'], { COSIGN_PASSWORD: '' }).code,
    ).toBe(0);
    expect(box.run(['keygen', '--output-prefix', 'enc'], { COSIGN_PASSWORD: 'pw' }).code).toBe(0);
    expect(readdirSync(box.dir).sort()).toEqual(['enc.key', 'enc.pub', 'plain.key', 'plain.pub']);
  });
});
