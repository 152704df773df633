// End-to-end tests of `modelseal hash` run as a real process (the built CLI).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VECTORS_DIR } from './shared-vectors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const SAMPLE = path.join(repo, 'fixtures/models/sample-model');
const SIMPLE = path.join(repo, 'fixtures/models/simple-file/model.bin');
const VECTOR = path.join(VECTORS_DIR, 'oms-python/v1.1.0-elliptic-key');

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cli-hash-'));

// dist/ is rebuilt when stale by test/global-setup.ts before any test file runs.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI; `asUnprivileged` drops to uid/gid 65534 when the tests run as root (so modes apply). */
function modelseal(...args: string[]) {
  return runCli(args, false);
}

function runCli(args: string[], asUnprivileged: boolean) {
  const ids = asUnprivileged && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: tmp,
    ...ids,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('modelseal hash', () => {
  it('prints sha256:<root> and a summary on stderr', () => {
    const r = modelseal('hash', SAMPLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sha256:143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7\n');
    expect(r.stderr).toMatch(/^10 resources, 0\.0 MiB, files, sha256, \d+\.\d\d s/);
  });

  it('--json prints root, method, hashType and every resource', () => {
    const r = modelseal('hash', SAMPLE, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    const names = ['d0/f00', 'd0/f01', 'd0/f02', 'd1/f10', 'd1/f11', 'd1/f12', 'f0', 'f1', 'f2', 'f3'];
    expect(out).toEqual({
      root: '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7',
      name: 'sample-model',
      method: 'files',
      hashType: 'sha256',
      allowSymlinks: false,
      ignorePaths: ['.git', '.gitattributes', '.github', '.gitignore'],
      warnings: [],
      resources: names.map((n) => ({
        name: n,
        algorithm: 'sha256',
        digest: sha256(readFileSync(path.join(SAMPLE, n))),
      })),
    });
  });

  it('reproduces the Python vector root with --ignore-paths', () => {
    const r = modelseal(
      'hash',
      VECTOR,
      '--ignore-paths',
      path.join(VECTOR, 'ignore-me'),
      '--ignore-paths',
      path.join(VECTOR, 'model.sig'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4\n');
  });

  it('--method shards --shard-size 8 and --hash', () => {
    const r = modelseal('hash', SIMPLE, '--json', '--method', 'shards', '--shard-size', '8');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.method).toBe('shards');
    expect(out.shardSize).toBe(8);
    expect(out.resources.map((x: { name: string }) => x.name)).toEqual(['.:0:8', '.:8:16', '.:16:22']);
    expect(out.resources[0]).toEqual({
      name: '.:0:8',
      algorithm: 'sha256-sharded-8',
      digest: 'a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0',
    });
    const b2 = JSON.parse(modelseal('hash', SIMPLE, '--json', '--hash', 'blake2b').stdout);
    expect(b2.resources).toEqual([
      {
        name: '.',
        algorithm: 'blake2b',
        digest:
          '20e68afc59075f50f66f399d2cc590f2a93f58349dd6626c0f93bfa19d142b1741029b102cbc7ec0b36ad8dc771d66e904ca9a874c76fcc242fee0bea557463f',
      },
    ]);
    expect(b2.hashType).toBe('blake2b');
  });

  it('hashes many files on worker threads and exits; --jobs 1 and --jobs 2 agree', () => {
    const dir = path.join(tmp, 'many');
    mkdirSync(dir);
    const digests: Buffer[] = [];
    const names = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    for (const n of names) {
      writeFileSync(path.join(dir, n), `content of ${n}\n`);
      digests.push(createHash('sha256').update(`content of ${n}\n`).digest());
    }
    const expected = `sha256:${sha256(Buffer.concat(digests))}\n`;
    const t0 = Date.now();
    const one = modelseal('hash', dir, '--jobs', '1');
    const two = modelseal('hash', dir, '--jobs', '2');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(expected);
    expect(two.stdout).toBe(expected);
  });

  it('--json of 2,500 files (written a slice at a time) is exactly JSON.stringify(..., null, 2)', () => {
    const dir = path.join(tmp, 'json-many');
    const names = Array.from({ length: 2500 }, (_, i) => `d${i % 3}/\u00e9-${String(i).padStart(4, '0')}`);
    for (const n of names) {
      mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
      writeFileSync(path.join(dir, n), `bytes of ${n}`);
    }
    for (const extra of [[], ['--method', 'shards', '--shard-size', '1000']]) {
      const r = modelseal('hash', dir, '--json', ...extra);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(r.stdout).toBe(`${JSON.stringify(out, null, 2)}\n`);
      expect(Object.keys(out).at(-1)).toBe('resources');
      if (extra.length) {
        expect(out.shardSize).toBe(1000);
        expect(out.resources[2499].name).toMatch(/:0:\d+$/);
        continue;
      }
      expect(out.resources.length).toBe(2500);
      const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(out.resources[1999]).toEqual({
        name: sorted[1999],
        algorithm: 'sha256',
        digest: sha256(`bytes of ${sorted[1999]}`),
      });
      expect(out.resources.map((x: { name: string }) => x.name)).toEqual(sorted);
    }
  });

  it('--no-ignore-git-paths and --allow-symlinks', () => {
    const dir = path.join(tmp, 'git-and-links');
    mkdirSync(dir);
    writeFileSync(path.join(dir, '.gitignore'), 'x');
    writeFileSync(path.join(dir, 'w'), 'w');
    const ignored = JSON.parse(modelseal('hash', dir, '--json').stdout);
    expect(ignored.resources.map((x: { name: string }) => x.name)).toEqual(['w']);
    const all = JSON.parse(modelseal('hash', dir, '--json', '--no-ignore-git-paths').stdout);
    expect(all.resources.map((x: { name: string }) => x.name)).toEqual(['.gitignore', 'w']);
    expect(all.ignorePaths).toEqual([]);

    symlinkSync('w', path.join(dir, 'link'));
    const denied = modelseal('hash', dir);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toBe(
      "modelseal: error[SYMLINK]: cannot use 'link': it is a symlink; pass --allow-symlinks to hash the file it points to\n",
    );
    const allowed = JSON.parse(modelseal('hash', dir, '--json', '--allow-symlinks').stdout);
    expect(allowed.allowSymlinks).toBe(true);
    expect(allowed.resources.map((x: { name: string; digest: string }) => `${x.name}=${x.digest}`)).toEqual([
      `link=${sha256('w')}`,
      `w=${sha256('w')}`,
    ]);
  });

  const usage: [string[], string][] = [
    [['--method', 'tree'], "--method must be 'files' or 'shards', got 'tree'"],
    [['--method', 'shards', '--shard-size', '1.5'], "--shard-size must be a positive integer, got '1.5'"],
    [['--method', 'shards', '--shard-size', 'abc'], "--shard-size must be a positive integer, got 'abc'"],
    [['--shard-size', '8'], '--shard-size only applies with --method shards'],
    [['--jobs', '0'], "--jobs must be a positive integer, got '0'"],
    [['--hash', 'md5'], "--hash must be sha256, blake2b or blake3, got 'md5'"],
  ];
  for (const [args, message] of usage) {
    it(`rejects ${args.join(' ')} with exit 2`, () => {
      const r = modelseal('hash', SAMPLE, ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`modelseal: error[USAGE]: ${message}\n`);
    });
  }

  it('missing model, empty model and missing argument exit 2 with one line', () => {
    const missing = modelseal('hash', path.join(tmp, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `modelseal: error[NOT_FOUND]: model '${path.join(tmp, 'nope')}' does not exist\n`,
    );
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    const e = modelseal('hash', empty);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe(
      `modelseal: error[EMPTY_MODEL]: model '${empty}' has no files to hash (empty, or everything is ignored)\n`,
    );
    const noArg = modelseal('hash');
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toMatch(/missing required argument 'model'/);
  });

  it('unreadable files (on the worker threads) and directories exit 2 with UNREADABLE', () => {
    const dir = path.join(tmp, 'perm');
    mkdirSync(path.join(dir, 'many'), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(path.join(dir, 'many', `f${i}`), `file ${i}`);
    writeFileSync(path.join(dir, 'secret.bin'), 'x'.repeat(5000));
    chmodSync(tmp, 0o755);
    chmodSync(path.join(dir, 'secret.bin'), 0o000);
    const file = runCli(['hash', dir], true);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe("modelseal: error[UNREADABLE]: cannot read 'secret.bin': permission denied\n");

    chmodSync(path.join(dir, 'secret.bin'), 0o644);
    chmodSync(path.join(dir, 'many'), 0o000);
    const sub = runCli(['hash', dir], true);
    chmodSync(path.join(dir, 'many'), 0o755);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toBe(
      "modelseal: error[UNREADABLE]: directory 'many' is not readable: permission denied\n",
    );
    expect(runCli(['hash', dir], true).code).toBe(0);
  });

  it('--help teaches with examples', () => {
    const r = modelseal('hash', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$ modelseal hash ./my-model --json');
    expect(r.stdout).toContain('--ignore-paths <path>');
  });
});
