// Interop: our key-mode bundle over the v1.1.0-elliptic-key model has the Python bundle's structure
// (keys, hint, statement fields, resources, root), its signature verifies with `openssl dgst`, our
// statements validate against the OMS v1.0 JSON schemas, and the spec's test vectors are accepted
// or rejected as they should be.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { VECTORS_DIR } from './shared-vectors.js';
import {
  buildStatement,
  parseBundle,
  parseStatement,
  preAuthEncoding,
  serializeBundle,
} from '../packages/core/src/oms.js';
import {
  certificateVerifier,
  hashModel,
  keySigner,
  keyVerifier,
  sign,
  verify,
  type ModelsealError,
} from '../packages/core/src/index.js';
import { loadCertificates, loadPrivateKey, loadPublicKey } from '../packages/core/src/keys.js';
import { bundleJson, statementJson, statementOf, type BundleJson } from './bundle-json.js';
import { verifiedOnDisk } from './sign-result-kind.js';

const SHARED = VECTORS_DIR;
const PY = path.join(SHARED, 'oms-python');
const KEYS = path.join(PY, 'keys/certificate');
const SPEC = path.join(SHARED, 'oms-spec');
const HINT = 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e';
const ROOT = '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4';

const tmp = mkdtempSync(path.join(tmpdir(), 'oms-interop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const privateKey = () =>
  loadPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')), { source: 'signing-key.pem' });
const publicKey = () => loadPublicKey(readFileSync(path.join(KEYS, 'signing-key-pub.pem')));

/** Shape of a JSON value: object keys (sorted) and leaf types, arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  }
  return typeof v;
}

async function signVectorModel(): Promise<{ model: string; ours: BundleJson; python: BundleJson }> {
  const model = path.join(mkdtempSync(path.join(tmp, 'sign-')), 'v1.1.0-elliptic-key');
  cpSync(path.join(PY, 'v1.1.0-elliptic-key'), model, { recursive: true });
  const python = bundleJson(readFileSync(path.join(model, 'model.sig'), 'utf8'));
  rmSync(path.join(model, 'model.sig'));
  // Same command as the Python vector: default signature path inside the model, ignore 'ignore-me'.
  await sign(model, {
    signer: keySigner({ privateKey: await privateKey() }),
    ignorePaths: ['ignore-me'],
    jobs: 1,
  });
  const ours = bundleJson(readFileSync(path.join(model, 'model.sig'), 'utf8'));
  return { model, ours, python };
}

describe('our key bundle vs the Python v1.1.0 one', () => {
  it('has the same structure, hint, statement fields, resources and root', async () => {
    const { model, ours, python } = await signVectorModel();
    expect(shape(ours)).toEqual(shape(python));
    expect(Object.keys(ours)).toEqual(Object.keys(python));
    expect(Object.keys(ours.verificationMaterial)).toEqual(Object.keys(python.verificationMaterial));
    expect(ours.verificationMaterial).toEqual({ publicKey: { hint: HINT }, tlogEntries: [] });
    expect(ours.mediaType).toBe(python.mediaType);
    expect(ours.dsseEnvelope.payloadType).toBe(python.dsseEnvelope.payloadType);
    expect(ours.dsseEnvelope.signatures[0].keyid).toBe('');

    const a = statementOf(ours);
    const b = statementOf(python);
    expect(shape(a)).toEqual(shape(b));
    expect(a.subject).toEqual(b.subject);
    expect(a.subject[0].digest.sha256).toBe(ROOT);
    expect(a.predicateType).toBe(b.predicateType);
    expect(a.predicate.resources).toEqual(
      b.predicate.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    );
    const { ignore_paths: ia, ...sa } = a.predicate.serialization;
    const { ignore_paths: ib, ...sb } = b.predicate.serialization;
    expect(sa).toEqual(sb);
    expect(ia).toEqual([...ib].sort()); // Python writes a frozenset (random order); we sort
    // ...and each side verifies the other's model with the same public key.
    const r = verifiedOnDisk(
      await verify(model, { verifier: keyVerifier({ publicKey: publicKey() }), jobs: 1 }),
    );
    expect(r.manifest.root).toBe(ROOT);
    // The file is compact JSON without a trailing newline, like model_signing 1.1.
    expect(readFileSync(path.join(model, 'model.sig'), 'utf8')).toBe(JSON.stringify(ours));
  });

  it('verifies with openssl over the PAE bytes (ECDSA P-384 / SHA-384)', async () => {
    const { ours } = await signVectorModel();
    const dir = mkdtempSync(path.join(tmp, 'openssl-'));
    const payload = Buffer.from(ours.dsseEnvelope.payload, 'base64');
    writeFileSync(path.join(dir, 'pae.bin'), preAuthEncoding('application/vnd.in-toto+json', payload));
    writeFileSync(path.join(dir, 'sig.der'), Buffer.from(ours.dsseEnvelope.signatures[0].sig, 'base64'));
    writeFileSync(path.join(dir, 'pub.pem'), publicKey().export({ type: 'spki', format: 'pem' }));
    const out = execFileSync(
      'openssl',
      ['dgst', '-sha384', '-verify', 'pub.pem', '-signature', 'sig.der', 'pae.bin'],
      { cwd: dir },
    ).toString();
    expect(out.trim()).toBe('Verified OK');
    // The PAE is exactly the DSSE v1 encoding.
    expect(readFileSync(path.join(dir, 'pae.bin')).subarray(0, 40).toString()).toBe(
      `DSSEv1 28 application/vnd.in-toto+json ${payload.length} `.slice(0, 40),
    );
    // A flipped PAE byte does not verify.
    const pae = readFileSync(path.join(dir, 'pae.bin'));
    pae[pae.length - 2] ^= 1;
    writeFileSync(path.join(dir, 'pae.bin'), pae);
    expect(() =>
      execFileSync('openssl', ['dgst', '-sha384', '-verify', 'pub.pem', '-signature', 'sig.der', 'pae.bin'], {
        cwd: dir,
        stdio: 'pipe',
      }),
    ).toThrow();
  });
});

describe('OMS v1.0 JSON schemas', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  for (const f of readdirSync(path.join(SPEC, 'schemas/v1.0')))
    ajv.addSchema(JSON.parse(readFileSync(path.join(SPEC, 'schemas/v1.0', f), 'utf8')));
  const statementSchema = ajv.getSchema('https://model_signing/statement/v1.0/schema')!;
  const bundleSchema = ajv.getSchema('https://model_signing/bundle/v1.0/schema')!;

  it('accept our statements and bundles (files mode, blake3, ignore paths)', async () => {
    const { ours } = await signVectorModel();
    expect(bundleSchema(ours), JSON.stringify(bundleSchema.errors)).toBe(true);
    expect(statementSchema(statementOf(ours)), JSON.stringify(statementSchema.errors)).toBe(true);
    const manifest = await hashModel(path.join(__dirname, '../fixtures/models/sample-model'), {
      hashType: 'blake3',
      jobs: 1,
    });
    const statement = statementJson(buildStatement(manifest).toString());
    expect(statementSchema(statement), JSON.stringify(statementSchema.errors)).toBe(true);
    expect(statement.predicate.serialization.hash_type).toBe('blake3');
  });

  it('reject a statement with an extra predicate field (the check is real)', async () => {
    const { ours } = await signVectorModel();
    const s = statementOf(ours);
    s.predicate.extra = 1;
    expect(statementSchema(s)).toBe(false);
  });
});

describe('OMS spec test vectors', () => {
  const dir = path.join(SPEC, 'test-vectors/v1.0');
  const read = (f: string) => readFileSync(path.join(dir, f));

  it.each([
    ['valid/key.bundle.json', ROOT],
    ['valid/certificate.bundle.json', ROOT],
    ['valid/sigstore.bundle.json', '61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226'],
  ])('%s parses (root %s)', (f, root) => {
    const b = parseBundle(read(f), f);
    const m = parseStatement(b.envelope.payload, f);
    expect(m.root).toBe(root);
    expect(m.resources.map((r) => r.name)).toEqual(['signme-1', 'signme-2']);
    expect(m.ignorePaths).toContain('ignore-me');
  });

  it.each(['key', 'certificate'])(
    'valid/%s.bundle.json verifies against the v1.1.0-elliptic-key model files',
    async (kind) => {
      const model = path.join(mkdtempSync(path.join(tmp, 'spec-')), 'model');
      cpSync(path.join(PY, 'v1.1.0-elliptic-key'), model, { recursive: true });
      const verifier =
        kind === 'key'
          ? keyVerifier({ publicKey: publicKey() })
          : certificateVerifier({
              trustAnchors: loadCertificates(readFileSync(path.join(KEYS, 'ca-cert.pem'))),
            });
      const r = verifiedOnDisk(
        await verify(model, {
          verifier,
          signaturePath: path.join(dir, `valid/${kind}.bundle.json`),
          ignorePaths: ['model.sig'],
          jobs: 1,
        }),
      );
      expect(r.manifest.subjectName).toBe('model');
      expect(r.files).toBe(2);
      expect(r.signer.kind).toBe(kind);
    },
  );

  const rejected: [string, string, string][] = [
    ['invalid/empty.bundle.json', 'MALFORMED_BUNDLE', 'signature file is empty'],
    ['invalid/missing-envelope.bundle.json', 'MALFORMED_BUNDLE', 'bundle has no dsseEnvelope'],
    ['invalid/missing-tlog-entries.bundle.json', 'MALFORMED_BUNDLE', 'keyless bundle has no tlogEntries'],
    [
      'invalid/missing-verification-material.bundle.json',
      'MALFORMED_BUNDLE',
      'bundle has no verificationMaterial',
    ],
    [
      'invalid-payload/wrong-predicate.bundle.json',
      'MALFORMED_BUNDLE',
      "unsupported predicateType 'https://example.com/wrong-predicate/v1.0'",
    ],
  ];
  it.each(rejected)('%s is rejected with %s', (f, code, message) => {
    let err: ModelsealError | undefined;
    try {
      const b = parseBundle(read(f), f);
      parseStatement(b.envelope.payload, f);
    } catch (e) {
      err = e as ModelsealError;
    }
    expect(err?.code).toBe(code);
    expect(err?.message).toContain(message);
  });

  it('serializeBundle writes what parseBundle reads back', async () => {
    const signer = keySigner({ privateKey: await privateKey() });
    const payload = Buffer.from(
      readFileSync(path.join(PY, 'v1.1.0-elliptic-key/model.sig'), 'utf8').length.toString(),
    );
    const bundle = await signer.signStatement(payload, 'application/vnd.in-toto+json');
    expect(parseBundle(serializeBundle(bundle), 'x').envelope.payload).toEqual(payload);
  });
});
