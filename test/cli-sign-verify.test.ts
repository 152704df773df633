// End-to-end tests of `modelseal keygen | sign | verify` (the built CLI: the first flow, --version and
// the terminal prompts as real processes, the rest run in this process by ./cli-in-process.ts):
// exit codes 0/1/2, one-line errors, --json in success and failure, certificate mode, Python vectors.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from './oms-test-pki.js';
import { VECTORS_DIR } from './shared-vectors.js';
import { runCliInProcess } from './cli-in-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const VECTORS = path.join(VECTORS_DIR, 'oms-python');
const FIXTURE_KEYS = path.join(repo, 'fixtures/keys');

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cli-sign-'));
let pki: Pki;

beforeAll(() => {
  pki = makePki(path.join(tmp, 'pki'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The CLI run in this process (./cli-in-process.ts), in tmp. */
function modelseal(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliInProcess(args, { cwd: tmp, env });
}

/** The built CLI as a real process, in tmp. */
function modelsealProcess(args: string[], env: Record<string, string | undefined> = {}) {
  const fullEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env }))
    if (v !== undefined && k !== 'MODELSEAL_DEBUG') fullEnv[k] = v;
  if (!('COSIGN_PASSWORD' in env)) delete fullEnv.COSIGN_PASSWORD;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: tmp,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let n = 0;
function model(): string {
  const dir = path.join(tmp, `m${n++}`, 'my-model');
  mkdirSync(path.join(dir, 'weights'), { recursive: true });
  writeFileSync(path.join(dir, 'weights/a.bin'), Buffer.alloc(4096, 1));
  writeFileSync(path.join(dir, 'config.json'), '{"layers": 2}\n');
  return dir;
}

// python3 -c "import hashlib; ..." over model()'s two files: config.json then weights/a.bin (4096 x 0x01).
const MODEL_ROOT = '8dcde3dc843336151f8d39cb225452c21c4f6b4d7d094bb7ea3659babe918998';
const A_BIN = '3431383721510cf1c211de027cf958c183e16db5fabb6b230eb284c85e196aa9';
const A_BIN_TAMPERED = '30d6bc164ea54188aa9df0c14f20c4fbc8a155c5644bcc9ef9eb05901cb07d70'; // 4096 x 0x02
/** hex SHA-256 of fixtures/keys/test.pub's PEM text (python3 hashlib). */
const FIXTURE_KEY_HINT = 'f7c00ef6201b22e795411c1dcdfada14496b9ff879845ac2e44e16a83a83eb9a';
/** The key hint (hex SHA-256 of the PEM text) computed by openssl, not by modelseal. */
const opensslHint = (file: string) =>
  execFileSync('openssl', ['dgst', '-sha256', '-r', file], { encoding: 'utf8' }).split(' ')[0];

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

describe('keygen -> sign -> verify -> tamper', () => {
  it('works end to end and names the tampered file', () => {
    const prefix = path.join(tmp, 'release');
    const kg = modelsealProcess(['keygen', '--output-prefix', prefix], { COSIGN_PASSWORD: 'pw1' });
    expect(kg.stderr).toBe(`wrote ${prefix}.key (encrypted) and ${prefix}.pub\n`);
    expect(kg.code).toBe(0);
    expect(readFileSync(`${prefix}.key`, 'utf8')).toMatch(
      /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/,
    );

    const dir = model();
    const s = modelsealProcess(['sign', dir, '--key', `${prefix}.key`], { COSIGN_PASSWORD: 'pw1' });
    expect(s.code).toBe(0);
    expect(s.stdout).toBe(`${path.join(dir, 'model.sig')}\n`);
    expect(s.stderr).toMatch(new RegExp(`^signed my-model \\(sha256:${MODEL_ROOT}, 2 resources, key\\) -> `));

    const v = modelsealProcess(['verify', dir, '--key', `${prefix}.pub`]);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(
      `verified ${dir}: sha256:${MODEL_ROOT}, 2 files, signed by key ${opensslHint(`${prefix}.pub`)}\n`,
    );

    writeFileSync(path.join(dir, 'weights/a.bin'), Buffer.alloc(4096, 2));
    const t = modelsealProcess(['verify', dir, '--key', `${prefix}.pub`]);
    expect(t.code).toBe(1);
    expect(t.stdout).toBe('');
    expect(t.stderr).toBe(
      `modelseal: error[TAMPERED_FILE]: model file 'weights/a.bin' does not match the signature (expected sha256:${A_BIN}, got sha256:${A_BIN_TAMPERED})\n`,
    );
  });

  it('--json prints the result on success and on failure (exit 1), and extra files are EXTRA_FILE', async () => {
    const dir = model();
    expect(
      (
        await modelseal(['sign', dir, '--key', path.join(FIXTURE_KEYS, 'test.key')], {
          COSIGN_PASSWORD: 'modelseal-test',
        })
      ).code,
    ).toBe(0);
    const ok = await modelseal(['verify', dir, '--key', path.join(FIXTURE_KEYS, 'test.pub'), '--json']);
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out).toEqual({
      verified: true,
      signer: { kind: 'key', keyHint: FIXTURE_KEY_HINT },
      root: MODEL_ROOT,
      files: 2,
      warnings: [],
    });

    writeFileSync(path.join(dir, 'extra.txt'), 'x');
    const bad = await modelseal(['verify', dir, '--key', path.join(FIXTURE_KEYS, 'test.pub'), '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      verified: false,
      error: {
        code: 'EXTRA_FILE',
        message:
          "model file 'extra.txt' is not in the signature; pass --ignore-unsigned-files to allow unsigned files",
      },
      signer: out.signer,
      root: out.root,
      files: 2,
    });
    expect(
      (
        await modelseal([
          'verify',
          dir,
          '--key',
          path.join(FIXTURE_KEYS, 'test.pub'),
          '--ignore-unsigned-files',
        ])
      ).code,
    ).toBe(0);

    const wrongKey = await modelseal(['verify', dir, '--key', `${path.join(tmp, 'release')}.pub`, '--json']);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({
      verified: false,
      error: { code: 'WRONG_KEY' },
      signer: null,
      root: null,
      files: null,
    });
  });
});

describe('--version', () => {
  it("prints packages/cli/package.json's version and exits 0", () => {
    const { version } = JSON.parse(readFileSync(path.join(repo, 'packages/cli/package.json'), 'utf8'));
    const r = modelsealProcess(['--version']);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('usage and input errors exit 2 with one line', () => {
  const cases: [string, string[], Record<string, string | undefined>, RegExp][] = [
    [
      'encrypted key without COSIGN_PASSWORD and no TTY',
      ['sign', 'MODEL', '--key', path.join(FIXTURE_KEYS, 'test.key')],
      {},
      /^modelseal: error\[BAD_PASSWORD\]: .*test\.key is encrypted: set COSIGN_PASSWORD/,
    ],
    [
      'wrong password',
      ['sign', 'MODEL', '--key', path.join(FIXTURE_KEYS, 'test.key')],
      { COSIGN_PASSWORD: 'nope' },
      /^modelseal: error\[BAD_PASSWORD\]: .*test\.key: wrong password for the encrypted private key\n$/,
    ],
    [
      'keygen without a password and no TTY',
      ['keygen', '--output-prefix', 'nopw'],
      {},
      /^modelseal: error\[BAD_PASSWORD\]: set COSIGN_PASSWORD/,
    ],
    [
      '--key and --certificate-chain together',
      ['verify', 'MODEL', '--key', 'a.pub', '--certificate-chain', 'ca.pem'],
      {},
      /^modelseal: error\[USAGE\]: give either --key or --certificate-chain, not both\n$/,
    ],
    [
      '--certificate without --key',
      ['sign', 'MODEL', '--certificate', 'leaf.pem'],
      {},
      /^modelseal: error\[USAGE\]: --certificate and --certificate-chain need --key/,
    ],
    [
      'missing public key file',
      ['verify', 'MODEL', '--key', 'nope.pub'],
      {},
      /^modelseal: error\[NOT_FOUND\]: nope\.pub: no such file\n$/,
    ],
    [
      'missing signature',
      ['verify', 'MODEL', '--key', path.join(FIXTURE_KEYS, 'test.pub'), '--signature', 'none.sig'],
      {},
      /^modelseal: error\[NOT_FOUND\]: signature '.*none\.sig' does not exist\n$/,
    ],
    ['unknown option', ['verify', 'MODEL', '--frobnicate'], {}, /unknown option '--frobnicate'/],
    [
      'bad --algorithm',
      ['keygen', '--algorithm', 'rsa-2048', '--no-encrypt'],
      {},
      /^modelseal: error\[USAGE\]: --algorithm must be one of/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, env, stderr) => {
    const dir = model();
    const r = await modelseal(
      args.map((a) => (a === 'MODEL' ? dir : a)),
      env,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
    noStack(r.stderr);
  });

  it('help teaches with examples', async () => {
    for (const c of ['sign', 'verify', 'keygen']) {
      const r = await modelseal([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`$ modelseal ${c}`);
    }
  });
});

/** Runs the CLI on a real pseudo-terminal (util-linux `script`), answering each prompt in turn. */
function onTty(args: string[], answers: string[]): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== 'COSIGN_PASSWORD') env[k] = v;
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: tmp,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let prompts = 0;
  const onData = (d: Buffer) => {
    output += d.toString();
    const seen = output.split('Enter password').length - 1;
    while (prompts < seen && prompts < answers.length) child.stdin.write(`${answers[prompts++]}\r`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('password prompts on a terminal', () => {
  it('keygen asks twice, sign asks once, and the password is never echoed', async () => {
    const prefix = path.join(tmp, 'tty');
    const kg = await onTty(['keygen', '--output-prefix', prefix], ['tty-secret-1', 'tty-secret-1']);
    expect(kg.code).toBe(0);
    expect(kg.output).toContain('Enter password for private key again: ');
    expect(kg.output).toContain(`wrote ${prefix}.key (encrypted) and ${prefix}.pub`);
    const dir = model();
    const s = await onTty(['sign', dir, '--key', `${prefix}.key`], ['tty-secret-1']);
    expect(s.code).toBe(0);
    expect(s.output).toContain(`Enter password for private key ${prefix}.key: `);
    expect(existsSync(path.join(dir, 'model.sig'))).toBe(true);
    for (const out of [kg.output, s.output]) expect(out).not.toContain('tty-secret');
    expect((await modelseal(['verify', dir, '--key', `${prefix}.pub`])).code).toBe(0);

    const bad = await onTty(['sign', dir, '--key', `${prefix}.key`], ['wrong-secret']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain(
      `modelseal: error[BAD_PASSWORD]: ${prefix}.key: wrong password for the encrypted private key`,
    );
    const mismatch = await onTty(['keygen', '--output-prefix', path.join(tmp, 'tty2')], ['one', 'two']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.output).toContain('modelseal: error[BAD_PASSWORD]: the two passwords do not match');
  });
});

describe('certificate mode through the CLI', () => {
  it('signs with leaf + intermediate and verifies against the root; another root is UNTRUSTED_CHAIN', async () => {
    const dir = model();
    const s = await modelseal([
      'sign',
      dir,
      '--key',
      pki.leaf.keyPath,
      '--certificate',
      pki.leaf.certPath,
      '--certificate-chain',
      pki.intermediate.certPath,
      '--json',
    ]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({
      signed: true,
      method: 'certificate',
      files: 2,
      signaturePath: path.join(dir, 'model.sig'),
    });
    const v = await modelseal(['verify', dir, '--certificate-chain', pki.root.certPath, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).signer).toEqual({
      kind: 'certificate',
      subject: 'CN=test-leaf',
      issuer: 'CN=test-intermediate',
      fingerprint: pki.leaf.cert.fingerprint256,
      anchor: pki.root.cert.fingerprint256,
    });
    const w = await modelseal(['verify', dir, '--certificate-chain', pki.otherRoot.certPath]);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(
      /^modelseal: error\[UNTRUSTED_CHAIN\]: .*certificate 'test-leaf' \(issuer 'CN=test-intermediate'\) does not chain to any trust anchor\n$/,
    );
  });

  it('refuses an expired leaf at signing time (exit 1, CERTIFICATE_EXPIRED)', async () => {
    const r = await modelseal([
      'sign',
      model(),
      '--key',
      pki.leafExpired.keyPath,
      '--certificate',
      pki.leafExpired.certPath,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^modelseal: error\[CERTIFICATE_EXPIRED\]: certificate 'test-leaf-expired' is not valid now/,
    );
  });
});

describe('Python model_signing vectors through the CLI', () => {
  it('verifies v1.1.0-certificate and v0.2.0-certificate with ca-cert.pem, and the single-file v1.0.0 key vector', async () => {
    const ca = path.join(VECTORS, 'keys/certificate/ca-cert.pem');
    const pub = path.join(VECTORS, 'keys/certificate/signing-key-pub.pem');
    const v110 = path.join(tmp, 'v1.1.0-certificate');
    cpSync(path.join(VECTORS, 'v1.1.0-certificate'), v110, { recursive: true });
    const a = await modelseal([
      'verify',
      v110,
      '--certificate-chain',
      ca,
      '--ignore-paths',
      path.join(v110, 'ignore-me'),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(
      `verified ${v110}: sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226, 2 files, signed by certificate CN=intermediate-ca (issuer CN=intermediate-ca)\n`,
    );

    const v020 = path.join(tmp, 'v0.2.0-certificate');
    cpSync(path.join(VECTORS, 'v0.2.0-certificate'), v020, { recursive: true });
    const b = await modelseal(['verify', v020, '--certificate-chain', ca]);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain(
      'modelseal: warning: signature uses the model_signing 0.2 compatibility encoding',
    );

    const v100 = path.join(tmp, 'v1.0.0-elliptic-key');
    cpSync(path.join(VECTORS, 'v1.0.0-elliptic-key'), v100, { recursive: true });
    const c = await modelseal([
      'verify',
      path.join(v100, 'signme-1'),
      '--key',
      pub,
      '--signature',
      path.join(v100, 'model.sig'),
    ]);
    expect(c.code).toBe(0);
    expect(c.stderr).toBe(
      'modelseal: warning: bundle uses the older verification material format (publicKey.rawBytes); re-sign to get publicKey.hint\n',
    );
  });
});
