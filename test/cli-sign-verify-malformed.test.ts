// Malformed signatures: every defect gives one clear line with a stable code, through the library
// and through the CLI (exit 2 for unreadable input, 1 for a signed-but-inconsistent manifest), and
// never a stack trace. The CLI runs in this process (./cli-in-process.ts); the huge-file case runs
// it as a real process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySigner, keyVerifier, sign, verify, type ModelsealError } from '../packages/core/src/index.js';
import { loadPrivateKeyFile, loadPublicKeyFile } from '../packages/core/src/keys.js';
import { serializeBundle } from '../packages/core/src/oms.js';
import { bundleJson, statementOf, type BundleJson, type StatementJson } from './bundle-json.js';
import { runCliInProcess } from './cli-in-process.js';
import { verifiedOnDisk } from './sign-result-kind.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const KEYS = path.join(repo, 'fixtures/keys');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-malformed-'));
const dir = path.join(tmp, 'model');
const good = path.join(tmp, 'good.sig');
let goodBundle: BundleJson;
let statement: StatementJson;

beforeAll(async () => {
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'w.bin'), 'weights');
  const privateKey = await loadPrivateKeyFile(path.join(KEYS, 'test.key'), { password: 'modelseal-test' });
  await sign(dir, { signer: keySigner({ privateKey }), signaturePath: good });
  goodBundle = bundleJson(readFileSync(good, 'utf8'));
  statement = statementOf(goodBundle);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A correctly signed bundle over an edited statement (so only the statement checks can catch it). */
async function signedText(text: string): Promise<Buffer> {
  const privateKey = await loadPrivateKeyFile(path.join(KEYS, 'test.key'), { password: 'modelseal-test' });
  return serializeBundle(
    await keySigner({ privateKey }).signStatement(Buffer.from(text), 'application/vnd.in-toto+json'),
  );
}

async function signedOver(edit: (s: StatementJson) => unknown): Promise<Buffer> {
  const s = structuredClone(statement);
  edit(s);
  return signedText(JSON.stringify(s));
}

function edited(edit: (b: BundleJson) => unknown): Buffer {
  const b = structuredClone(goodBundle);
  edit(b);
  return Buffer.from(JSON.stringify(b));
}

type Case = [name: string, make: () => Buffer | Promise<Buffer>, code: string, exit: number, message: string];
const cases: Case[] = [
  ['empty file', () => Buffer.alloc(0), 'MALFORMED_BUNDLE', 2, 'signature file is empty'],
  [
    'truncated JSON',
    () => readFileSync(good).subarray(0, 200),
    'MALFORMED_BUNDLE',
    2,
    'not valid JSON, the file may be truncated',
  ],
  ['a JSON array', () => Buffer.from('[]'), 'MALFORMED_BUNDLE', 2, 'bundle is not a JSON object'],
  [
    'wrong mediaType',
    () => edited((b) => (b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.1')),
    'UNSUPPORTED_MEDIA_TYPE',
    2,
    "unsupported bundle mediaType 'application/vnd.dev.sigstore.bundle+json;version=0.1'",
  ],
  [
    'missing dsseEnvelope',
    () => edited((b) => Reflect.deleteProperty(b, 'dsseEnvelope')),
    'MALFORMED_BUNDLE',
    2,
    'bundle has no dsseEnvelope',
  ],
  [
    'wrong payloadType',
    () => edited((b) => (b.dsseEnvelope.payloadType = 'text/plain')),
    'MALFORMED_BUNDLE',
    2,
    "DSSE payloadType is 'text/plain', expected 'application/vnd.in-toto+json'",
  ],
  [
    'garbage base64 payload',
    () => edited((b) => (b.dsseEnvelope.payload = 'not*base64!')),
    'MALFORMED_BUNDLE',
    2,
    'DSSE payload is not valid base64',
  ],
  [
    'garbage base64 signature',
    () => edited((b) => (b.dsseEnvelope.signatures[0].sig = '%%%')),
    'MALFORMED_BUNDLE',
    2,
    'DSSE signature is not valid base64',
  ],
  [
    'no signature',
    () => edited((b) => (b.dsseEnvelope.signatures = [])),
    'MALFORMED_BUNDLE',
    2,
    'DSSE envelope has no signature',
  ],
  [
    'two signatures',
    () => edited((b) => b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0])),
    'MALFORMED_BUNDLE',
    2,
    'DSSE envelope has 2 signatures; OMS bundles carry exactly one',
  ],
  [
    'no verificationMaterial',
    () => edited((b) => Reflect.deleteProperty(b, 'verificationMaterial')),
    'MALFORMED_BUNDLE',
    2,
    'bundle has no verificationMaterial',
  ],
  [
    'signed payload that is not JSON',
    () => signedText('not json {'),
    'MALFORMED_BUNDLE',
    2,
    'statement is not valid JSON',
  ],
  [
    'wrong statement _type',
    () => signedOver((s) => (s._type = 'https://in-toto.io/Statement/v0.1')),
    'MALFORMED_BUNDLE',
    2,
    "statement has _type 'https://in-toto.io/Statement/v0.1'",
  ],
  [
    'wrong predicateType',
    () => signedOver((s) => (s.predicateType = 'https://slsa.dev/provenance/v1')),
    'MALFORMED_BUNDLE',
    2,
    "statement has unsupported predicateType 'https://slsa.dev/provenance/v1'",
  ],
  [
    'missing subject',
    () => signedOver((s) => Reflect.deleteProperty(s, 'subject')),
    'MALFORMED_BUNDLE',
    2,
    'statement must have exactly one subject (found none)',
  ],
  [
    'two subjects',
    () => signedOver((s) => s.subject.push(s.subject[0])),
    'MALFORMED_BUNDLE',
    2,
    'statement must have exactly one subject (found 2)',
  ],
  [
    'empty resources',
    () => signedOver((s) => (s.predicate.resources = [])),
    'MALFORMED_BUNDLE',
    2,
    'statement has an empty resources list',
  ],
  [
    'root that does not match the resources',
    () => signedOver((s) => (s.subject[0].digest.sha256 = 'ab'.repeat(32))),
    'MANIFEST_INCONSISTENT',
    1,
    'manifest is inconsistent: subject digest sha256:abab',
  ],
  [
    'resource path escaping the model',
    () => signedOver((s) => (s.predicate.resources[0].name = '../../etc/passwd')),
    'UNSAFE_PATH',
    1,
    "statement names an unsafe resource path '../../etc/passwd'",
  ],
  [
    'resource digest that is not hex',
    () => signedOver((s) => (s.predicate.resources[0].digest = 'zz')),
    'MALFORMED_BUNDLE',
    2,
    "resource 'w.bin' has a digest that is not lowercase hex",
  ],
];

describe.each(cases)('%s', (name, make, code, exit, message) => {
  it(`library: ${code}`, async () => {
    const sig = path.join(tmp, `${name.replace(/\W+/g, '-')}.lib.sig`);
    writeFileSync(sig, await make());
    let err: ModelsealError | undefined;
    try {
      verifiedOnDisk(
        await verify(dir, {
          verifier: keyVerifier({ publicKey: await loadPublicKeyFile(path.join(KEYS, 'test.pub')) }),
          signaturePath: sig,
        }),
      );
    } catch (e) {
      err = e as ModelsealError;
    }
    expect(err?.code).toBe(code);
    expect(err?.message).toContain(message);
    expect(err?.message.startsWith(`${sig}: `)).toBe(true);
    expect(err?.message).not.toContain('\n');
  });

  it(`CLI: exit ${exit}, one line, no stack trace`, async () => {
    const sig = path.join(tmp, `${name.replace(/\W+/g, '-')}.cli.sig`);
    writeFileSync(sig, await make());
    const r = await runCliInProcess([
      'verify',
      dir,
      '--key',
      path.join(KEYS, 'test.pub'),
      '--signature',
      sig,
    ]);
    expect(r.code).toBe(exit);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`modelseal: error[${code}]: ${sig}: `)).toBe(true);
    expect(r.stderr).toContain(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

it('the unmodified bundle verifies (so each case above fails for its own reason)', async () => {
  const r = verifiedOnDisk(
    await verify(dir, {
      verifier: keyVerifier({ publicKey: await loadPublicKeyFile(path.join(KEYS, 'test.pub')) }),
      signaturePath: good,
    }),
  );
  expect(r.files).toBe(1);
});

it('a huge signature file is refused before it is read (sparse 129 MiB file)', async () => {
  const sig = path.join(tmp, 'huge.sig');
  writeFileSync(sig, '');
  truncateSync(sig, 129 * 1024 * 1024);
  const message = `signature '${sig}' is ${129 * 1024 * 1024} bytes, more than the ${32 * 1024 * 1024} a bundle may have`;
  await expect(
    verify(dir, {
      verifier: keyVerifier({ publicKey: await loadPublicKeyFile(path.join(KEYS, 'test.pub')) }),
      signaturePath: sig,
    }),
  ).rejects.toThrow(message);
  const r = spawnSync(
    process.execPath,
    [BIN, 'verify', dir, '--key', path.join(KEYS, 'test.pub'), '--signature', sig],
    { encoding: 'utf8' },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`modelseal: error[MALFORMED_BUNDLE]: ${message}\n`);
});
