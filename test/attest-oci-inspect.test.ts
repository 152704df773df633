// `modelseal inspect REF` through the real CLI on an OCI layout holding a model with every kind of
// evidence: OMS + cosign signatures by a key and by a certificate chain (openssl PKI), an SBOM
// attestation (key), a provenance attestation (certificate) and a legacy cosign `.sig` (key). Without
// identity flags each line says what it is and who its bundle says signed it; with --key or
// --certificate-chain each also says whether it verifies (and why not); --json carries the same.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attest, provenance, sbom, type AttestResult } from '../packages/core/src/index.js';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import { certificateSigner } from '../packages/core/src/sign/certificate-signer.js';
import { keySigner } from '../packages/core/src/sign/key-signer.js';
import { runCli, REPO } from './cli-process.js';
import { writeLegacySignature } from './legacy-cosign-sig.js';
import { makePki, type Pki } from './oms-test-pki.js';
import { sign } from '../packages/core/src/sign/sign.js';
import { signedArtifact } from './sign-result-kind.js';

const MODEL = path.join(REPO, 'fixtures/models/hf-tiny-llama');

/** The referrer digest an attest() about an artifact pushed (any other kind fails the test). */
function referrerOf(r: AttestResult): string {
  if (r.kind !== 'artifact') throw new Error(`attest stored a ${r.kind} attestation, not a referrer`);
  return r.referrer.digest;
}
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-attest-inspect-'));
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUB = path.join(tmp, 'key.pub');
const pubPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
// model_signing key hint: hex SHA-256 of the SPKI PEM text
const HINT = createHash('sha256').update(pubPem).digest('hex');
let pki: Pki;
let ref: string;
let digest: string;
const d: Record<string, string> = {};

beforeAll(async () => {
  writeFileSync(PUB, pubPem);
  pki = makePki(path.join(tmp, 'pki'));
  ref = `oci:${path.join(tmp, 'layout')}:v1`;
  digest = (await pushModel(MODEL, ref, { jobs: 1 })).digest;
  const byKey = keySigner({ privateKey: key.privateKey });
  const byCert = certificateSigner({
    privateKey: pki.leaf.key,
    certificate: pki.leaf.cert,
    chain: [pki.intermediate.cert],
  });
  const k = signedArtifact(await sign(ref, { signer: byKey }));
  const c = signedArtifact(await sign(ref, { signer: byCert }));
  Object.assign(d, {
    kOms: k.oms.digest,
    kCosign: k.cosign.digest,
    cOms: c.oms.digest,
    cCosign: c.cosign.digest,
  });
  const bom = await sbom(ref);
  d.sbom = referrerOf(
    await attest(ref, { signer: byKey, predicateType: 'https://cyclonedx.org/bom', predicate: bom }),
  );
  const prov = await provenance(ref, { buildType: 'ml-training', sourceDir: false });
  // the manifest digest first (cosign prints Subject[0]), then the OMS root
  expect(prov.subject.map((s) => s.digest.sha256)).toEqual([digest.slice(7), k.root]);
  d.prov = referrerOf(
    await attest(ref, {
      signer: byCert,
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: prov.predicate,
    }),
  );
  await writeLegacySignature(ref, digest, key.privateKey);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const CERT = 'certificate CN=test-leaf (issuer CN=test-intermediate)';

/** The referrer lines, bundles in the order they were attached (the layout's order), and the legacy section. */
function expectedTail(verdicts: Record<string, string>, legacy: string): string[] {
  const line: Record<string, string> = {
    kOms: `OMS signature, signed by key ${HINT}`,
    kCosign: `cosign signature, signed by key ${HINT}`,
    cOms: `OMS signature, signed by ${CERT}`,
    cCosign: `cosign signature, signed by ${CERT}`,
    sbom: `SBOM https://cyclonedx.org/bom, signed by key ${HINT}`,
    prov: `provenance https://slsa.dev/provenance/v1, signed by ${CERT}`,
  };
  const names = Object.keys(line);
  const out = ['referrers:'];
  names.forEach((n, i) => {
    const last = i === names.length - 1;
    out.push(`${last ? '└── ' : '├── '}${BUNDLE}`);
    out.push(`${last ? '    ' : '│   '}└── ${d[n]}`);
    out.push(`${last ? '    ' : '│   '}    ${line[n]}${verdicts[n] ?? ''}`);
  });
  out.push(`legacy signatures (${digest.replace(':', '-')}.sig):`);
  out.push(`└── layer 0: cosign legacy signature, signed by key${legacy}`);
  return out;
}

const tailOf = (stdout: string) => {
  const lines = stdout.split('\n');
  return lines.slice(lines.indexOf('referrers:'), -1);
};

describe('inspect REF shows the signatures and attestations', () => {
  it('without identity flags: what each is and who its bundle says signed it', () => {
    const r = runCli(['inspect', ref]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe(`${ref}@${digest}`);
    expect(tailOf(r.stdout)).toEqual(expectedTail({}, ''));
  });

  it('--key: the key-signed ones verify, the certificate-signed ones fail with their reason', () => {
    const r = runCli(['inspect', ref, '--key', PUB]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const ok = ': verified';
    const notKey = (referrer: string) =>
      `: NOT verified: error[WRONG_KEY]: ${referrer}: the bundle is signed with a certificate, not a bare key; pass --certificate-chain to verify it against its CA`;
    const tail = tailOf(r.stdout);
    expect(tail).toEqual(
      expectedTail(
        {
          kOms: ok,
          kCosign: ok,
          sbom: ok,
          cOms: notKey(d.cOms),
          cCosign: notKey(d.cCosign),
          prov: notKey(d.prov),
        },
        ok,
      ),
    );
  });

  it('--certificate-chain: the certificate-signed ones verify; --json carries each verdict', () => {
    // The intermediate as well as the root: the cosign-format referrers carry the leaf alone (v0.3).
    const chain = [
      '--certificate-chain',
      pki.root.certPath,
      '--certificate-chain',
      pki.intermediate.certPath,
    ];
    const r = runCli(['inspect', ref, ...chain, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = JSON.parse(r.stdout) as {
      descriptor: { digest: string };
      evidence: {
        source: string;
        kind: string;
        verified?: boolean;
        signer?: unknown;
        error?: { code: string };
      }[];
    };
    expect(j.descriptor.digest).toBe(digest);
    const by = Object.fromEntries(j.evidence.map((e) => [e.source, e]));
    const leafSigner = {
      kind: 'certificate',
      subject: 'CN=test-leaf',
      issuer: 'CN=test-intermediate',
      fingerprint: pki.leaf.cert.fingerprint256,
      // the path ends at the first trust anchor it reaches: the intermediate given as one
      anchor: pki.intermediate.cert.fingerprint256,
    };
    expect(by[d.cOms]).toEqual({
      source: d.cOms,
      kind: 'oms',
      predicateType: 'https://model_signing/signature/v1.0',
      verified: true,
      signer: leafSigner,
    });
    expect(by[d.prov]).toMatchObject({ kind: 'attestation', verified: true, signer: leafSigner });
    expect(by[d.cCosign]).toMatchObject({ kind: 'cosign', verified: true });
    expect(by[d.kOms]).toMatchObject({
      kind: 'oms',
      verified: false,
      signer: { kind: 'key', keyHint: HINT },
    });
    expect(by[d.sbom]).toMatchObject({
      kind: 'attestation',
      verified: false,
      predicateType: 'https://cyclonedx.org/bom',
    });
    // legacy .sig is checked with --key only: listed, not checked
    expect(by[`${digest.replace(':', '-')}.sig layer 0`]).toEqual({
      source: `${digest.replace(':', '-')}.sig layer 0`,
      kind: 'cosign-legacy',
      signer: { kind: 'key' },
    });
    expect(j.evidence).toHaveLength(7);
  });
});
