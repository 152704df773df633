// `--tlog-upload` (issue 21): key- and certificate-signed bundles logged in the local Rekor of
// test/sigstore (a real HTTP server, SETs signed with its own log key), and verify checking those
// entries against a trusted root's Rekor logs. The attacks: a tampered SET, an entry that logs another
// signature, an entry from a log the verifier does not trust; each is TLOG_INVALID (fail closed),
// while a bundle without entries (model_signing's) still verifies. Through the library and the CLI.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerializedBundle } from '@sigstore/bundle';
import { certificateSigner } from '../packages/core/src/sign/certificate-signer.js';
import { serializeBundle, singleCertificateBundle } from '../packages/core/src/sign/dsse-bundle.js';
import { keySigner } from '../packages/core/src/sign/key-signer.js';
import type { BundleSigner } from '../packages/core/src/sign/signer.js';
import { parseBundle } from '../packages/core/src/oms/parse-bundle.js';
import { certificateVerifier } from '../packages/core/src/verify/certificate-verifier.js';
import { keyVerifier } from '../packages/core/src/verify/key-verifier.js';
import type { BundleVerifier } from '../packages/core/src/oms/verifier.js';
import { CLI_BIN } from './cli-process.js';
import { modelDirs } from './model-dirs.js';
import { makePki, type Pki } from './oms-test-pki.js';
import { rejectionOf } from './rejection.js';
import { startSigstoreStack, type SigstoreStack } from './sigstore/stack.js';

const dirs = modelDirs('ms-tlog-upload-');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const statement = (n: number) =>
  Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [], n }));
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

type Entry = {
  logIndex: string;
  kindVersion: { kind: string; version: string };
  inclusionPromise?: { signedEntryTimestamp: string };
  canonicalizedBody: string;
};
const entriesOf = (b: SerializedBundle) =>
  (b.verificationMaterial as unknown as { tlogEntries: Entry[] }).tlogEntries;
const parsed = (b: SerializedBundle) => parseBundle(serializeBundle(b), 'bundle');

let stack: SigstoreStack;
let pki: Pki;
beforeAll(async () => {
  stack = await startSigstoreStack({ rekor: true, tsa: false });
  const pkiDir = path.join(dirs.base, 'pki');
  mkdirSync(pkiDir);
  pki = makePki(pkiDir);
}, 60_000);
afterAll(async () => {
  await stack?.close();
  dirs.cleanup();
});

function modes(): { name: string; signer: BundleSigner; verifier: (root?: string) => BundleVerifier }[] {
  const tlog = { rekorURL: stack.rekorURL as string };
  return [
    {
      name: 'key',
      signer: keySigner({ privateKey, tlog }),
      verifier: (root) => keyVerifier({ publicKey, trustedRoot: root }),
    },
    {
      name: 'certificate',
      signer: certificateSigner({
        privateKey: pki.leaf.key,
        certificate: pki.leaf.cert,
        chain: [pki.intermediate.cert],
        tlog,
      }),
      verifier: (root) =>
        certificateVerifier({ trustAnchors: [pki.root.cert, pki.intermediate.cert], trustedRoot: root }),
    },
  ];
}

describe('--tlog-upload through the library, against the local Rekor', () => {
  it.each(['key', 'certificate'])(
    '%s mode: one dsse entry with a SET; verifies with the stack root, fails closed otherwise',
    async (name) => {
      const mode = modes().find((m) => m.name === name);
      if (!mode) throw new Error(name);
      const before = stack.requests.rekor ?? 0;
      const bundle = await mode.signer.signStatement(statement(1), PAYLOAD_TYPE);
      expect(stack.requests.rekor).toBe(before + 1);
      const [entry, ...more] = entriesOf(bundle);
      expect(more).toEqual([]);
      expect(entry.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
      expect(entry.inclusionPromise?.signedEntryTimestamp).toMatch(/^[A-Za-z0-9+/]+=*$/);
      // the logged body names this signature and the signer's key or leaf
      const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8')) as {
        spec: { signatures: { signature: string; verifier: string }[] };
      };
      const sig = (bundle.dsseEnvelope as { signatures: { sig: string }[] }).signatures[0].sig;
      expect(body.spec.signatures[0].signature).toBe(sig);
      const verifierPem = Buffer.from(body.spec.signatures[0].verifier, 'base64').toString('utf8');
      expect(verifierPem).toBe(
        name === 'key'
          ? publicKey.export({ type: 'spki', format: 'pem' }).toString()
          : pki.leaf.cert.toString(),
      );

      const ok = await mode.verifier(stack.trustedRootPath).verify(parsed(bundle));
      expect(ok.payload.equals(statement(1))).toBe(true);
      if (name === 'certificate') {
        // the cosign-format referrer (leaf alone) keeps the entry and verifies too
        await mode.verifier(stack.trustedRootPath).verify(parsed(singleCertificateBundle(bundle)));
        // its leaf alone cannot reach the root without the intermediate among the anchors
        const rootOnly = certificateVerifier({
          trustAnchors: [pki.root.cert],
          trustedRoot: stack.trustedRootPath,
        });
        expect((await rejectionOf(rootOnly.verify(parsed(singleCertificateBundle(bundle))))).code).toBe(
          'UNTRUSTED_CHAIN',
        );
        await rootOnly.verify(parsed(bundle)); // the chain bundle (the OMS referrer's form) carries it
      }

      // a log the verifier does not trust: the default (public-good) root does not list the local Rekor
      const untrusted = await rejectionOf(mode.verifier().verify(parsed(bundle)));
      expect([untrusted.code, untrusted.message]).toEqual([
        'TLOG_INVALID',
        'bundle: transparency log entry does not verify: inclusion promise could not be verified',
      ]);

      // a tampered SET
      const tampered = structuredClone(bundle);
      const set = Buffer.from(entriesOf(tampered)[0].inclusionPromise?.signedEntryTimestamp ?? '', 'base64');
      set[set.length - 5] ^= 1;
      entriesOf(tampered)[0].inclusionPromise = { signedEntryTimestamp: set.toString('base64') };
      const badSet = await rejectionOf(mode.verifier(stack.trustedRootPath).verify(parsed(tampered)));
      expect([badSet.code, badSet.message]).toEqual([
        'TLOG_INVALID',
        'bundle: transparency log entry does not verify: inclusion promise could not be verified',
      ]);

      // the entry of another artifact, signed by the same signer and logged by the same trusted log
      const other = await mode.signer.signStatement(statement(2), PAYLOAD_TYPE);
      const swapped = structuredClone(bundle);
      (swapped.verificationMaterial as unknown as { tlogEntries: Entry[] }).tlogEntries = entriesOf(other);
      const foreign = await rejectionOf(mode.verifier(stack.trustedRootPath).verify(parsed(swapped)));
      expect([foreign.code, foreign.message]).toEqual([
        'TLOG_INVALID',
        'bundle: transparency log entry does not verify: tlog entry signature mismatch',
      ]);
    },
    60_000,
  );

  it('without tlog nothing is uploaded and the bundle (model_signing shape) verifies with any root', async () => {
    const before = stack.requests.rekor ?? 0;
    const bundle = await keySigner({ privateKey }).signStatement(statement(3), PAYLOAD_TYPE);
    expect(entriesOf(bundle)).toEqual([]);
    expect(stack.requests.rekor ?? 0).toBe(before);
    await keyVerifier({ publicKey }).verify(parsed(bundle));
  });

  it('a Rekor that refuses is SIGSTORE_SERVICE and no bundle is returned', async () => {
    const signer = keySigner({ privateKey, tlog: { rekorURL: `${stack.url}/nothing-here`, retries: 0 } });
    const e = await rejectionOf(signer.signStatement(statement(4), PAYLOAD_TYPE));
    expect(e.code).toBe('SIGSTORE_SERVICE');
    expect(e.message).toMatch(new RegExp(`^Rekor at ${stack.url}/nothing-here did not log the signature: `));
  });
});

function modelseal(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI_BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('modelseal sign --key --tlog-upload / verify --trusted-root', () => {
  it('logs in the signing config Rekor; verify checks the entry against --trusted-root', async () => {
    const keyPath = path.join(dirs.base, 'cli.key');
    const pubPath = path.join(dirs.base, 'cli.pub');
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pubPath, publicKey.export({ type: 'spki', format: 'pem' }));
    const model = dirs.model({ 'weights.bin': 'w'.repeat(1000), 'config.json': '{}' });
    const signed = await modelseal([
      'sign',
      model,
      '--key',
      keyPath,
      '--tlog-upload',
      '--signing-config',
      stack.signingConfigPath,
    ]);
    expect(signed.code, signed.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(path.join(model, 'model.sig'), 'utf8')) as SerializedBundle;
    expect(entriesOf(bundle).map((e) => e.kindVersion.kind)).toEqual(['dsse']);

    const ok = await modelseal(['verify', model, '--key', pubPath, '--trusted-root', stack.trustedRootPath]);
    expect(ok.code, ok.stderr).toBe(0);
    const untrusted = await modelseal(['verify', model, '--key', pubPath]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(
      /^modelseal: error\[TLOG_INVALID\]: .*model\.sig: transparency log entry does not verify: /m,
    );

    const keyless = await modelseal(['sign', model, '--tlog-upload', '--overwrite']);
    expect([keyless.code, keyless.stderr]).toEqual([
      2,
      'modelseal: error[USAGE]: --tlog-upload applies to --key signing: keyless signatures are logged by the Rekor of their instance anyway\n',
    ]);
  }, 120_000);
});
