// The single executable (`pnpm build:binary`) on a PATH with no `node`: the OCI round trip against a
// real registry, the shipped public-good trusted root and CycloneDX schemas (SEA assets), the hashing
// worker (an asset) and the native BLAKE3 addon (extracted on first use into a private temporary
// directory that is removed, or the JavaScript BLAKE3 where that fails: same digests).
// Runs when MODELSEAL_BINARY names the executable (.ci/run builds it before the Node 24 suite).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN } from './cli-process.js';
import { makeModel } from './oci/model-fixture.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { VECTORS_DIR } from './shared-vectors.js';

const BINARY = process.env.MODELSEAL_BINARY;
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-sea-'));
/** A PATH with nothing on it: the executable must not need `node` (or anything else). */
const emptyPath = path.join(tmp, 'empty-path');
mkdirSync(emptyPath);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function binary(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(BINARY!, args, {
    encoding: 'utf8',
    timeout: 120_000,
    cwd: tmp,
    env: { PATH: emptyPath, HOME: tmp, TMPDIR: tmp, COSIGN_PASSWORD: 'sea-test', ...env },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The npm CLI (dist/bin.js) on the same input, for digests that must agree. */
function npmCli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!BINARY)('the single executable (MODELSEAL_BINARY)', () => {
  let registry: RunningRegistry;
  const model = path.join(tmp, 'model');
  beforeAll(async () => {
    registry = await startRegistry();
    makeModel(model);
    // Big enough for the worker threads to hash part of it (files over 32 MiB are split up).
    writeFileSync(path.join(model, 'big.bin'), Buffer.alloc(48 * 1024 * 1024, 7));
  });
  afterAll(async () => registry?.close());

  it('runs with no node on PATH and prints the package version', () => {
    expect(spawnSync('node', ['--version'], { env: { PATH: emptyPath } }).error).toMatchObject({
      code: 'ENOENT',
    });
    const r = binary(['--version']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`${npmCli(['--version']).stdout}`);
  });

  it('keygen, sign, push, pull (verified, atomic) and verify against a real registry; a tampered copy fails', () => {
    expect(binary(['keygen', '--output-prefix', path.join(tmp, 'key')]).code).toBe(0);
    const signed = binary(['sign', model, '--key', path.join(tmp, 'key.key')]);
    expect(signed.code, signed.stderr).toBe(0);
    const ref = `${registry.host}/sea/model:v1`;
    const pushed = binary(['push', model, ref, '--plain-http']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(new RegExp(`^${registry.host}/sea/model:v1@sha256:[0-9a-f]{64}\\n$`));
    const dest = path.join(tmp, 'pulled');
    const pulled = binary(['pull', ref, dest, '--plain-http']);
    expect(pulled.code, pulled.stderr).toBe(0);
    const sig = ['--signature', path.join(model, 'model.sig')];
    const verified = binary(['verify', dest, '--key', path.join(tmp, 'key.pub'), ...sig]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^verified /);
    writeFileSync(path.join(dest, 'big.bin'), 'x', { flag: 'a' });
    const tampered = binary(['verify', dest, '--key', path.join(tmp, 'key.pub'), ...sig]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/^modelseal: error\[TAMPERED_FILE\]: .*big\.bin/);
  });

  it('hashes with the same digests as the npm CLI: sha256 and BLAKE3, native or JavaScript', () => {
    for (const hash of ['sha256', 'blake3']) {
      const want = npmCli(['hash', model, '--hash', hash]);
      expect(want.code, want.stderr).toBe(0);
      const extractDir = mkdtempSync(path.join(tmp, 'tmpdir-'));
      const got = binary(['hash', model, '--hash', hash, '--jobs', '2'], { TMPDIR: extractDir });
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout).toBe(want.stdout);
      // The extracted addon's private directory is gone once it is loaded.
      expect(readdirSync(extractDir)).toEqual([]);
    }
    // BLAKE3 loads the native addon: written into a private directory under $TMPDIR, then loaded.
    const traceDir = mkdtempSync(path.join(tmp, 'trace-'));
    const trace = path.join(traceDir, 'openat');
    const strace = spawnSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).stdout.trim();
    const traced = spawnSync(
      strace,
      ['-f', '-qq', '-e', 'trace=openat', '-o', trace, BINARY!, 'hash', model, '--hash', 'blake3'],
      { encoding: 'utf8', cwd: tmp, env: { PATH: emptyPath, HOME: tmp, TMPDIR: traceDir } },
    );
    expect(traced.status, traced.stderr).toBe(0);
    const opened = readFileSync(trace, 'utf8');
    expect(opened).toMatch(/modelseal-blake3-[A-Za-z0-9]{6}\/blake-hash\.node", O_WRONLY\|O_CREAT\|O_EXCL/);
    expect(opened).toMatch(/modelseal-blake3-[A-Za-z0-9]{6}\/blake-hash\.node", O_RDONLY\|O_CLOEXEC/);
    // No writable temporary directory: the addon cannot be written, the JavaScript BLAKE3 hashes.
    const fallback = binary(['hash', model, '--hash', 'blake3'], { TMPDIR: path.join(tmp, 'missing') });
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(fallback.stdout).toBe(npmCli(['hash', model, '--hash', 'blake3']).stdout);
  });

  it('verifies a public-good Sigstore signature with the trusted root it carries (TUF seeds asset)', () => {
    const vector = path.join(tmp, 'v1.1.0-sigstore');
    cpSync(path.join(VECTORS_DIR, 'oms-python', 'v1.1.0-sigstore'), vector, { recursive: true });
    const args = ['verify', vector, '--certificate-oidc-issuer', 'https://sigstore.verify.ibm.com/oauth2'];
    const ignore = ['--ignore-paths', path.join(vector, 'ignore-me')];
    const ok = binary([...args, '--certificate-identity', 'stefanb@us.ibm.com', ...ignore]);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = binary([...args, '--certificate-identity', 'someone@us.ibm.com', ...ignore]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error\[IDENTITY_MISMATCH\]/);
  });

  it('writes a CycloneDX ML-BOM validated against the schemas it carries', () => {
    const out = path.join(tmp, 'bom.json');
    const r = binary(['sbom', model, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(readFileSync(out, 'utf8'));
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(bom.metadata.component).toMatchObject({ type: 'machine-learning-model', 'bom-ref': 'model' });
  });
});
