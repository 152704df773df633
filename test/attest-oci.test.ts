// Signatures and attestations on OCI artifacts through a real docker-registry (distribution 2.8: the
// sha256-<hex> fallback index) behind a logging proxy, and through an OCI layout: sign REF without a
// layer GET, verify REF, attest provenance and SBOM, pull --verify, and each tampering case failing
// with DEST untouched. Signers: key, certificate chain (openssl), keyless (local Sigstore stack).
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sigstoreBundle from '@sigstore/bundle';
import * as specs from '@sigstore/protobuf-specs';
import * as sigstoreVerify from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  provenanceStatement,
  pullVerification,
  legacySignatureTag,
} from '../packages/core/src/attest/index.js';
import { attest, sbom, verifyAttestation } from '../packages/core/src/index.js';
import { keySigner } from '../packages/core/src/sign/key-signer.js';
import { certificateSigner } from '../packages/core/src/sign/certificate-signer.js';
import { keylessSigner } from '../packages/core/src/sign/keyless.js';
import { keyVerifier } from '../packages/core/src/verify/key-verifier.js';
import { certificateVerifier } from '../packages/core/src/verify/certificate-verifier.js';
import { keylessVerifier } from '../packages/core/src/verify/sigstore-verifier.js';
import { verify } from '../packages/core/src/verify/verify.js';
import { sign } from '../packages/core/src/sign/sign.js';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import { pullModel } from '../packages/core/src/oci/pull-model.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { bundleReferrers } from '../packages/core/src/source/oci-referrers.js';
import { openArtifact } from '../packages/core/src/source/oci-artifact.js';
import { MediaTypes } from '../packages/core/src/oci/target.js';
import type { BundleSigner } from '../packages/core/src/sign/signer.js';
import type { BundleVerifier } from '../packages/core/src/oms/verifier.js';
import { writeLegacySignature } from './legacy-cosign-sig.js';
import { rejectionOf } from './rejection.js';
import { makePki, type Pki } from './oms-test-pki.js';
import { startFaultProxy, type FaultProxy } from './registry/fault-proxy.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER, type SigstoreStack } from './sigstore/stack.js';
import { signedArtifact, verifiedOnDisk, verifiedArtifact } from './sign-result-kind.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODEL = path.join(repo, 'fixtures/models/hf-tiny-llama');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-attest-oci-'));
let registry: RunningRegistry;
let proxy: FaultProxy;
let stack: SigstoreStack;
let pki: Pki;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  stack = await startSigstoreStack();
  pki = makePki(path.join(tmp, 'pki'));
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  await stack?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const modes: Record<
  string,
  {
    signer: () => BundleSigner;
    verifier: () => BundleVerifier;
    wrong: () => BundleVerifier;
    wrongCode: string;
  }
> = {
  key: {
    signer: () => keySigner({ privateKey: key.privateKey }),
    verifier: () => keyVerifier({ publicKey: key.publicKey }),
    wrong: () => keyVerifier({ publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey }),
    wrongCode: 'WRONG_KEY',
  },
  certificate: {
    signer: () =>
      certificateSigner({
        privateKey: pki.leaf.key,
        certificate: pki.leaf.cert,
        chain: [pki.intermediate.cert],
      }),
    // The chain file a verifier passes (intermediate + root), as `cosign verify --certificate-chain`
    // needs it: the cosign-format referrers carry the leaf alone.
    verifier: () => certificateVerifier({ trustAnchors: [pki.root.cert, pki.intermediate.cert] }),
    wrong: () => certificateVerifier({ trustAnchors: [pki.otherRoot.cert] }),
    wrongCode: 'UNTRUSTED_CHAIN',
  },
  keyless: {
    signer: () => keylessSigner({ signingConfig: stack.signingConfigPath, identityToken: stack.token() }),
    verifier: () =>
      keylessVerifier({ identity: TEST_EMAIL, issuer: TEST_ISSUER, trustedRoot: stack.trustedRootPath }),
    wrong: () =>
      keylessVerifier({
        identity: 'eve@example.test',
        issuer: TEST_ISSUER,
        trustedRoot: stack.trustedRootPath,
      }),
    wrongCode: 'IDENTITY_MISMATCH',
  },
};

/**
 * Every bundle referrer of `ref`, each checked the way cosign and sigstore-go read it:
 * `bundleFromJSON` (bundle v0.3: no x509CertificateChain) for every cosign-format referrer, and
 * an independent signature check with sigstore-js (@sigstore/verify): the Verifier with the key,
 * or with the stack's trusted root for keyless; for a certificate, the DSSE signature with the
 * leaf's key and `openssl verify` of the leaf against the chain. The OMS referrer in certificate
 * mode is model_signing's format (pulled as DEST/model.sig): x509CertificateChain, structurally
 * valid (assertBundle), not v0.3-valid. Returns [predicateType, material kind] per referrer.
 */
async function checkEveryReferrer(ref: string, mode: string): Promise<string[][]> {
  const artifact = await openArtifact(ref);
  const { bundles: referrers, skipped } = await bundleReferrers(artifact.target, artifact.plan.descriptor);
  expect(skipped).toEqual([]);
  const seen: string[][] = [];
  for (const r of referrers) {
    const json = JSON.parse(r.bytes.toString('utf8')) as { verificationMaterial: Record<string, unknown> };
    const material = Object.keys(json.verificationMaterial).filter(
      (k) => k !== 'tlogEntries' && k !== 'timestampVerificationData',
    )[0];
    seen.push([r.predicateType ?? '', material]);
    if (mode === 'certificate' && r.predicateType === 'https://model_signing/signature/v1.0') {
      expect(material).toBe('x509CertificateChain');
      const b = specs.Bundle.fromJSON(json);
      expect(() => {
        sigstoreBundle.assertBundle(b);
      }).not.toThrow();
      expect(() => sigstoreBundle.bundleFromJSON(json)).toThrow('invalid bundle');
      continue;
    }
    const bundle = sigstoreBundle.bundleFromJSON(json);
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const entity = sigstoreVerify.toSignedEntity(bundle);
    if (mode === 'key') {
      const none = specs.TrustedRoot.fromJSON({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [],
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: [],
      });
      const finder = () => ({ publicKey: key.publicKey, validFor: () => true });
      const v = new sigstoreVerify.Verifier(sigstoreVerify.toTrustMaterial(none, finder), {
        tlogThreshold: 0,
        ctlogThreshold: 0,
        timestampThreshold: 0,
      });
      expect(() => v.verify(entity)).not.toThrow();
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      const wrong = new sigstoreVerify.Verifier(
        sigstoreVerify.toTrustMaterial(none, () => ({ publicKey: other, validFor: () => true })),
        { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
      );
      expect(() => wrong.verify(entity)).toThrow();
    } else if (mode === 'certificate') {
      expect(material).toBe('certificate');
      const leaf = new X509Certificate(
        Buffer.from((json.verificationMaterial.certificate as { rawBytes: string }).rawBytes, 'base64'),
      );
      expect(leaf.fingerprint256).toBe(pki.leaf.cert.fingerprint256);
      expect(
        entity.signature.verifySignature(
          createPublicKey(leaf.publicKey.export({ type: 'spki', format: 'pem' })),
        ),
      ).toBe(true);
      expect(entity.signature.verifySignature(pki.otherRoot.cert.publicKey)).toBe(false);
      const leafPem = path.join(tmp, 'referrer-leaf.pem');
      writeFileSync(leafPem, leaf.toString());
      const out = execFileSync(
        'openssl',
        [
          'verify',
          '-CAfile',
          pki.root.certPath,
          '-untrusted',
          pki.intermediate.certPath,
          '-purpose',
          'any',
          leafPem,
        ],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe(`${leafPem}: OK`);
    } else {
      const root = specs.TrustedRoot.fromJSON(JSON.parse(readFileSync(stack.trustedRootPath, 'utf8')));
      const v = new sigstoreVerify.Verifier(sigstoreVerify.toTrustMaterial(root));
      const signer = v.verify(entity, {
        subjectAlternativeName: TEST_EMAIL,
        extensions: { issuer: TEST_ISSUER },
      });
      expect(signer.identity?.subjectAlternativeName).toBe(TEST_EMAIL);
      expect(() => v.verify(entity, { subjectAlternativeName: 'eve@example.test' })).toThrow();
    }
  }
  return seen.sort();
}

const blobGets = () => proxy.log.filter((r) => r.method === 'GET' && /\/blobs\/sha256:/.test(r.path));
const ls = (d: string) => (existsSync(d) ? readdirSync(d).sort() : null);

describe.each([
  ['registry', () => `${proxy.host}/models/tiny-${Math.random().toString(36).slice(2, 8)}:v1`],
  ['layout', () => `oci:${mkdtempSync(path.join(tmp, 'layout-'))}:v1`],
])('%s', (where, newRef) => {
  describe.each(Object.keys(modes))('%s signer', (mode) => {
    it('sign REF reads no layer; verify REF, attestations, pull --verify; verify DIR accepts the pull', async () => {
      const m = modes[mode];
      const ref = newRef();
      const pushed = await pushModel(MODEL, ref, { jobs: 1 });
      const layerDigests = new Set(pushed.layers.map((l) => l.digest));
      proxy.log.length = 0;
      const signed = signedArtifact(await sign(ref, { signer: m.signer() }));
      expect(signed.digest).toBe(pushed.digest);
      if (where === 'registry')
        expect(proxy.log.some((r) => r.method === 'GET' && /\/manifests\//.test(r.path))).toBe(true);
      // No weight (or any file) layer was fetched; only the fallback index / referrer blobs might be.
      expect(blobGets().filter((r) => [...layerDigests].some((d) => r.path.endsWith(d)))).toEqual([]);

      const v = verifiedArtifact(await verify(ref, { verifier: m.verifier() }));
      expect(v.checks.map((c) => [c.kind, c.verified]).sort()).toEqual([
        ['cosign', true],
        ['oms', true],
      ]);
      expect(v.signed?.root).toBe(signed.root);
      expect((await rejectionOf(verify(ref, { verifier: m.wrong() }))).code).toBe(m.wrongCode);

      proxy.log.length = 0;
      const prov = await provenanceStatement([{ name: 'x', digest: { sha256: signed.root } }], {
        sourceDir: false,
        buildType: 'ml-training',
      });
      await attest(ref, {
        signer: m.signer(),
        predicateType: prov.predicateType,
        predicate: prov.predicate,
      });
      const bom = await sbom(MODEL, { jobs: 1 });
      await attest(ref, {
        signer: m.signer(),
        predicateType: 'https://cyclonedx.org/bom',
        predicate: bom,
      });
      expect(blobGets().filter((r) => [...layerDigests].some((d) => r.path.endsWith(d)))).toEqual([]);
      const p = await verifyAttestation(ref, {
        verifier: m.verifier(),
        predicateType: 'https://slsa.dev/provenance/v1',
      });
      expect(p.statement.subject.map((s) => s.digest.sha256)).toEqual([pushed.digest.slice(7), signed.root]);
      const s = await verifyAttestation(ref, {
        verifier: m.verifier(),
        predicateType: 'https://cyclonedx.org/bom',
      });
      expect(s.statement.predicate.serialNumber).toBe(bom.serialNumber);
      // Every referrer just written passes @sigstore/bundle and verifies with sigstore-js.
      const material = mode === 'key' ? 'publicKey' : 'certificate';
      expect(await checkEveryReferrer(ref, mode)).toEqual(
        [
          ['https://cyclonedx.org/bom', material],
          [
            'https://model_signing/signature/v1.0',
            mode === 'certificate' ? 'x509CertificateChain' : material,
          ],
          ['https://sigstore.dev/cosign/sign/v1', material],
          ['https://slsa.dev/provenance/v1', material],
        ].sort(),
      );
      expect(
        (
          await rejectionOf(
            verifyAttestation(ref, {
              verifier: m.wrong(),
              predicateType: 'https://cyclonedx.org/bom',
            }),
          )
        ).code,
      ).toBe(m.wrongCode);

      const dest = path.join(tmp, `pulled-${where}-${mode}`);
      await pullModel(ref, dest, { verify: pullVerification({ verifier: m.verifier() }) });
      // pull --verify left the verified OMS bundle as DEST/model.sig: verify DIR works as it is
      const ok = verifiedOnDisk(await verify(dest, { verifier: m.verifier() }));
      expect(ok.manifest.root).toBe(signed.root);
      // and a wrong identity fails the pull before anything lands
      const dest2 = path.join(tmp, `pulled-wrong-${where}-${mode}`);
      expect(
        (await rejectionOf(pullModel(ref, dest2, { verify: pullVerification({ verifier: m.wrong() }) })))
          .code,
      ).toBe(m.wrongCode);
      expect(existsSync(dest2)).toBe(false);
    }, 120_000);
  });
});

describe('tampering (registry, key)', () => {
  const m = modes.key;
  it('tampered layer blob, swapped layer, altered referrer bundle, subject for another manifest: each fails, DEST untouched', async () => {
    const ref = `${proxy.host}/models/tamper:v1`;
    const pushed = await pushModel(MODEL, ref, { jobs: 1 });
    await sign(ref, { signer: m.signer() });
    const weights = pushed.layers.find((l) => l.path === 'model.safetensors');
    if (!weights) throw new Error('no weight layer');

    // 1. a tampered blob on the wire: the signatures pass, the layer fails its signed digest while streaming
    const dest = path.join(tmp, 'dest-tampered');
    proxy.corruptBlob(weights.digest);
    expect(
      (await rejectionOf(pullModel(ref, dest, { verify: pullVerification({ verifier: m.verifier() }) })))
        .code,
    ).toBe('DIGEST_MISMATCH');
    expect(ls(dest)).toBeNull();

    // 2. a swapped layer: another model pushed under the tag, with the old OMS bundle copied onto it
    const other = path.join(tmp, 'other-model');
    cpSync(MODEL, other, { recursive: true });
    writeFileSync(path.join(other, 'model.safetensors'), 'swapped weights!');
    const swapped = await pushModel(other, ref, { jobs: 1 });
    const noSig = await rejectionOf(
      pullModel(ref, path.join(tmp, 'dest-swapped'), {
        verify: pullVerification({ verifier: m.verifier() }),
      }),
    );
    expect(noSig.code).toBe('SIGNATURE_MISSING');
    const { target } = openTarget(ref);
    const { bundleReferrers, attachBundle } = await import('../packages/core/src/attest/index.js');
    const { bundles: oldSigs } = await bundleReferrers(target, {
      mediaType: MediaTypes.ociManifest,
      digest: pushed.digest,
      size: 0,
    });
    const oms = oldSigs.find((b) => b.predicateType === 'https://model_signing/signature/v1.0');
    if (!oms) throw new Error('no OMS bundle');
    const swappedDesc = { mediaType: MediaTypes.ociManifest, digest: swapped.digest, size: swapped.size };
    await attachBundle(target, swappedDesc, oms.bytes, 'https://model_signing/signature/v1.0');
    const swap = await rejectionOf(
      pullModel(ref, path.join(tmp, 'dest-swapped'), {
        verify: pullVerification({ verifier: m.verifier() }),
      }),
    );
    expect([swap.code, swap.message]).toEqual([
      'TAMPERED_FILE',
      expect.stringContaining("'model.safetensors'"),
    ]);
    expect(ls(path.join(tmp, 'dest-swapped'))).toBeNull();

    // 3. an altered referrer bundle (payload changed, signature kept) and 4. a cosign signature made for another manifest
    const cosign = oldSigs.find((b) => b.predicateType === 'https://sigstore.dev/cosign/sign/v1');
    if (!cosign) throw new Error('no cosign bundle');
    const altered = JSON.parse(oms.bytes.toString('utf8'));
    const stmt = JSON.parse(Buffer.from(altered.dsseEnvelope.payload, 'base64').toString('utf8'));
    stmt.predicate.resources.find((r: { name: string }) => r.name === 'model.safetensors').digest =
      swapped.layers.find((l) => l.path === 'model.safetensors')?.digest.slice(7);
    altered.dsseEnvelope.payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
    const ref2 = `${proxy.host}/models/tamper2:v1`;
    const pushed2 = await pushModel(other, ref2, { jobs: 1 });
    const { target: t2 } = openTarget(ref2);
    const d2 = { mediaType: MediaTypes.ociManifest, digest: pushed2.digest, size: pushed2.size };
    await attachBundle(t2, d2, Buffer.from(JSON.stringify(altered)), 'https://model_signing/signature/v1.0');
    await attachBundle(t2, d2, cosign.bytes, 'https://sigstore.dev/cosign/sign/v1');
    const e = await rejectionOf(verify(ref2, { verifier: m.verifier() }));
    const checks = (e as unknown as { details: { checks: { kind: string; error?: { code: string } }[] } })
      .details.checks;
    expect(checks.map((c) => [c.kind, c.error?.code]).sort()).toEqual([
      ['cosign', 'SUBJECT_MISMATCH'],
      ['oms', 'BAD_SIGNATURE'],
    ]);
    const dest4 = path.join(tmp, 'dest-altered');
    expect(
      (await rejectionOf(pullModel(ref2, dest4, { verify: pullVerification({ verifier: m.verifier() }) })))
        .code,
    ).toBe('BAD_SIGNATURE');
    expect(ls(dest4)).toBeNull();
  }, 120_000);
});

describe('legacy cosign .sig signatures', () => {
  it('a simplesigning signature under sha256-<hex>.sig (cosign v2 layout) verifies with the key', async () => {
    const ref = `oci:${mkdtempSync(path.join(tmp, 'legacy-'))}:v1`;
    const pushed = await pushModel(MODEL, ref, { jobs: 1 });
    await writeLegacySignature(ref, pushed.digest, key.privateKey);
    const v = verifiedArtifact(
      await verify(ref, { verifier: modes.key.verifier(), publicKey: key.publicKey }),
    );
    expect(v.checks).toEqual([
      {
        source: `${legacySignatureTag(pushed.digest)} layer 0`,
        kind: 'cosign-legacy',
        verified: true,
        signer: { kind: 'key' },
      },
    ]);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(
      (await rejectionOf(verify(ref, { verifier: keyVerifier({ publicKey: other }), publicKey: other })))
        .code,
    ).toBe('WRONG_KEY');
    // without a key for legacy signatures there is nothing to verify
    expect((await rejectionOf(verify(ref, { verifier: modes.key.verifier() }))).code).toBe(
      'SIGNATURE_MISSING',
    );
  });
});

describe('the OMS referrer is the statement sign DIR makes', () => {
  it('byte for byte, for the pulled directory named like the repository', async () => {
    const ref = `${proxy.host}/models/same-bytes:v1`;
    await pushModel(MODEL, ref, { jobs: 1 });
    await sign(ref, { signer: modes.key.signer() });
    const dir = path.join(mkdtempSync(path.join(tmp, 'same-')), 'same-bytes');
    await pullModel(ref, dir, { verify: pullVerification({ verifier: modes.key.verifier() }) });
    const local = await sign(dir, { signer: modes.key.signer(), jobs: 1, overwrite: true }); // DEST/model.sig
    const { bundleReferrers, openArtifact } = await import('../packages/core/src/attest/index.js');
    const a = await openArtifact(ref);
    const {
      bundles: [oms],
    } = await bundleReferrers(a.target, a.plan.descriptor, 'https://model_signing/signature/v1.0');
    const payload = (b: unknown) => (b as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
    expect(payload(JSON.parse(oms.bytes.toString('utf8')))).toBe(payload(local.bundle));
  });
});
