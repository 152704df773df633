// The model side of verification, end to end through the CLI process: a signed file is covered
// from byte 0 to its end in shards mode (appends and empty files included), git paths follow the
// signature's own ignore_paths, and the model_signing 0.2 compat PAE is accepted for v0.2 statements only.
import { generateKeyPairSync, sign } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyPreAuthEncoding } from '../packages/core/src/verify/legacy-pae.js';
import { runCli } from './cli-process.js';
import { modelDirs } from './model-dirs.js';

const dirs = modelDirs('ms-soundness-model-');
afterAll(() => dirs.cleanup());

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const KEY = path.join(dirs.base, 'signer.key');
const PUB = path.join(dirs.base, 'signer.pub');
writeFileSync(KEY, privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(PUB, publicKey.export({ type: 'spki', format: 'pem' }));
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function signed(files: Record<string, string>, flags: string[] = []): string {
  const dir = dirs.model(files);
  const s = runCli(['sign', dir, '--key', KEY, ...flags]);
  expect(s.stderr).toMatch(/^signed /);
  expect(s.code).toBe(0);
  return dir;
}

function verify(dir: string, flags: string[] = []) {
  return runCli(['verify', dir, '--key', PUB, ...flags]);
}

function statementOf(dir: string): { predicate: { resources: { name: string; digest: string }[] } } {
  const bundle = JSON.parse(readFileSync(path.join(dir, 'model.sig'), 'utf8'));
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}

const SHARDS = ['--method', 'shards', '--shard-size', '8'];

describe('shards mode: --ignore-unsigned-files never skips part of a signed file', () => {
  it('bytes appended to a file whose size is a multiple of shard_size: exit 1 TAMPERED_FILE', () => {
    const dir = signed({ 'w.bin': '0123456789abcdef', 'c.json': '{}' }, SHARDS);
    expect(verify(dir, ['--ignore-unsigned-files']).code).toBe(0);
    appendFileSync(path.join(dir, 'w.bin'), 'EVIL');
    for (const flags of [['--ignore-unsigned-files'], []]) {
      const v = verify(dir, flags);
      expect(v.stderr).toBe(
        "modelseal: error[TAMPERED_FILE]: model file 'w.bin' does not match the signature (shard 'w.bin:16:20' is not signed: the file grew past its signed end)\n",
      );
      expect(v.code).toBe(1);
    }
  });

  it('a whole extra shard appended (8 more bytes): exit 1 TAMPERED_FILE', () => {
    const dir = signed({ 'w.bin': '01234567' }, SHARDS);
    appendFileSync(path.join(dir, 'w.bin'), 'EVILEVIL');
    const v = verify(dir, ['--ignore-unsigned-files']);
    expect(v.stderr).toBe(
      "modelseal: error[TAMPERED_FILE]: model file 'w.bin' does not match the signature (shard 'w.bin:8:16' is not signed: the file grew past its signed end)\n",
    );
    expect(v.code).toBe(1);
  });
});

describe('shards mode: an empty file is signed as path:0:0 and checked like any other', () => {
  const files = { 'w.bin': '01234567', 'pkg/__init__.py': '' };

  it('the signature records the empty file as one shard with the SHA-256 of no bytes', () => {
    const dir = signed(files, SHARDS);
    expect(statementOf(dir).predicate.resources).toEqual([
      { name: 'pkg/__init__.py:0:0', algorithm: 'sha256-sharded-8', digest: EMPTY_SHA256 },
      {
        name: 'w.bin:0:8',
        algorithm: 'sha256-sharded-8',
        // python3 -c "import hashlib; print(hashlib.sha256(b'01234567').hexdigest())"
        digest: '924592b9b103f14f833faafb67f480691f01988aa457c0061769f58cd47311bc',
      },
    ]);
    expect(verify(dir).code).toBe(0);
  });

  it('adding an empty file: exit 1 EXTRA_FILE', () => {
    const dir = signed(files, SHARDS);
    writeFileSync(path.join(dir, 'pkg/py.typed'), '');
    const v = verify(dir);
    expect(v.stderr).toBe(
      "modelseal: error[EXTRA_FILE]: model file 'pkg/py.typed' is not in the signature; pass --ignore-unsigned-files to allow unsigned files\n",
    );
    expect(v.code).toBe(1);
  });

  it('deleting a signed empty file: exit 1 MISSING_FILE', () => {
    const dir = signed(files, SHARDS);
    rmSync(path.join(dir, 'pkg/__init__.py'));
    const v = verify(dir, ['--ignore-unsigned-files']);
    expect(v.stderr).toBe(
      "modelseal: error[MISSING_FILE]: model file 'pkg/__init__.py' is signed but missing\n",
    );
    expect(v.code).toBe(1);
  });

  it('filling a signed empty __init__.py with code under --ignore-unsigned-files: exit 1 TAMPERED_FILE', () => {
    const dir = signed(files, SHARDS);
    writeFileSync(path.join(dir, 'pkg/__init__.py'), 'import os\n');
    const v = verify(dir, ['--ignore-unsigned-files']);
    expect(v.stderr).toBe(
      "modelseal: error[TAMPERED_FILE]: model file 'pkg/__init__.py' does not match the signature (signed shard 'pkg/__init__.py:0:0' is not in the file: its size changed)\n",
    );
    expect(v.code).toBe(1);
  });
});

describe('shards mode: a signature that names no empty file (released model_signing <= 1.1 writes none)', () => {
  // Released Python skips empty files in shards mode (`if path_size > 0` in _get_shards), so its
  // signature of {w.bin, __init__.py ('')} is exactly our signature of {w.bin} alone.
  it('the empty file is EXTRA_FILE; only --ignore-unsigned-files accepts it, and then it is unprotected', () => {
    const dir = signed({ 'w.bin': '01234567' }, SHARDS);
    expect(statementOf(dir).predicate.resources.map((r) => r.name)).toEqual(['w.bin:0:8']);
    writeFileSync(path.join(dir, '__init__.py'), '');
    const strict = verify(dir);
    expect(strict.stderr).toBe(
      "modelseal: error[EXTRA_FILE]: model file '__init__.py' is not in the signature; pass --ignore-unsigned-files to allow unsigned files\n",
    );
    expect(strict.code).toBe(1);
    const lenient = verify(dir, ['--ignore-unsigned-files']);
    expect(lenient.code, lenient.stderr).toBe(0);
    // the residual risk PR #653 (and our path:0:0) closes: the unsigned file may now hold anything
    writeFileSync(path.join(dir, '__init__.py'), 'import os\n');
    expect(verify(dir, ['--ignore-unsigned-files']).code).toBe(0);
  });
});

describe('git paths follow the signature, never a local default', () => {
  it('signed with --no-ignore-git-paths, a .gitattributes added afterwards: exit 1 EXTRA_FILE', () => {
    const dir = signed({ 'w.bin': 'weights' }, ['--no-ignore-git-paths']);
    writeFileSync(path.join(dir, '.gitattributes'), '*.bin filter=lfs\n');
    const v = verify(dir);
    expect(v.stderr).toBe(
      "modelseal: error[EXTRA_FILE]: model file '.gitattributes' is not in the signature; pass --ignore-unsigned-files to allow unsigned files\n",
    );
    expect(v.code).toBe(1);
  });

  it('signed with --no-ignore-git-paths, a signed .gitignore changed: exit 1 TAMPERED_FILE', () => {
    const dir = signed({ 'w.bin': 'weights', '.gitignore': '*.tmp\n' }, ['--no-ignore-git-paths']);
    expect(verify(dir).code).toBe(0);
    writeFileSync(path.join(dir, '.gitignore'), '*\n');
    const v = verify(dir);
    expect(v.stderr).toMatch(/^modelseal: error\[TAMPERED_FILE\]: model file '\.gitignore' does not match/);
    expect(v.code).toBe(1);
  });

  it('signed ignoring git paths (the default, recorded in ignore_paths): a .gitattributes added still verifies', () => {
    const dir = signed({ 'w.bin': 'weights' });
    writeFileSync(path.join(dir, '.gitattributes'), '*.bin filter=lfs\n');
    const v = verify(dir);
    expect(v.stderr).toBe(
      `modelseal: warning: '.gitattributes' exists in ${dir} but no signature covers it (verify ignores it)\n`,
    );
    expect(v.code).toBe(0);
  });
});

describe('the model_signing 0.2 compat encoding (legacy PAE, SHA-256) is accepted only for v0.2 statements', () => {
  it('a v1.0 statement re-signed in the legacy encoding by the right key: exit 1 BAD_SIGNATURE', () => {
    const dir = signed({ 'w.bin': 'weights' });
    const sigPath = path.join(dir, 'model.sig');
    const bundle = JSON.parse(readFileSync(sigPath, 'utf8'));
    const env = bundle.dsseEnvelope;
    const payload = Buffer.from(env.payload, 'base64');
    const legacy = sign('sha256', legacyPreAuthEncoding(env.payloadType, payload), privateKey);
    env.signatures[0].sig = legacy.toString('base64');
    writeFileSync(sigPath, JSON.stringify(bundle));
    const v = verify(dir);
    expect(v.stderr).toBe(
      `modelseal: error[BAD_SIGNATURE]: ${sigPath}: the signature does not verify with the signing key; the bundle was modified\n`,
    );
    expect(v.code).toBe(1);
  });
});
