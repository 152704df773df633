// Issue 14 #18 and #7: commander's own errors are one `modelseal: error[USAGE]: ...` line with
// exit 2, and --jobs is capped (4 per CPU, at most 64), as --help says.
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
  it('refuses more than 4 per CPU (64 at most) for hash, sign and verify, and says so in --help', () => {
    for (const verb of ['hash', 'sign', 'verify']) {
      const r = box.run([verb, '.', '--jobs', '1000']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `modelseal: error[USAGE]: --jobs must be at most ${cap} (4 per CPU, 64 at most), got 1000\n`,
      );
      expect(box.run([verb, '--help']).stdout).toMatch(new RegExp(`at\\s+most\\s+${cap}\\)`));
    }
  });
});
