// Issue 19: attest, verifyAttestation, sbom and provenance are one verb each over a ModelSource, run
// on a copy of hf-tiny-llama on disk and on the same model pushed to a real htpasswd docker-registry.
// The same call names the same model both ways (the OMS root from `sha256sum`; the artifact adds its
// manifest digest first); an opened ArtifactSource carries its own credentials into every verb (and
// without them the registry refuses: REGISTRY_AUTH); a string that is a missing path is NOT_FOUND; an
// option that only applies on disk is USAGE with an artifact before anything is pushed; an
// attestation of the directory stops verifying once a file changes (SUBJECT_MISMATCH).
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attest,
  keySigner,
  keyVerifier,
  openModelSource,
  provenance,
  pushModel,
  sbom,
  verifyAttestation,
  type ArtifactSource,
} from '../packages/core/src/index.js';
import { CYCLONEDX_BOM, SLSA_PROVENANCE_V1 } from '../packages/core/src/attest/index.js';
import { bundleReferrers } from '../packages/core/src/source/oci-referrers.js';
import { openArtifact } from '../packages/core/src/source/oci-artifact.js';
import { newKeyPair } from '../packages/core/src/keys.js';
import { HF_TINY_LLAMA as MODEL, HF_TINY_LLAMA_ROOT as ROOT, SHA256SUM } from './hf-tiny-llama.js';
import { rejectionOf } from './rejection.js';
import { REGISTRY_PASSWORD, REGISTRY_USER, startRegistry, type RunningRegistry } from './registry/harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-attest-verbs-'));

const credentials = { username: REGISTRY_USER, password: REGISTRY_PASSWORD };
const keys = newKeyPair();
const signer = keySigner({ privateKey: keys.privateKey });
const verifier = keyVerifier({ publicKey: keys.publicKey });
const savedEnv = {
  DOCKER_CONFIG: process.env.DOCKER_CONFIG,
  REGISTRY_AUTH_FILE: process.env.REGISTRY_AUTH_FILE,
};

let registry: RunningRegistry;
let model: string;
let ref: string;
let digest: string;
let source: ArtifactSource;

/** The file components of a BOM as [name, sha256], sorted. */
function files(bom: Awaited<ReturnType<typeof sbom>>): string[][] {
  return (bom.components ?? [])
    .filter((c) => c.type === 'file')
    .map((c) => [c.name, c.hashes?.[0]?.content ?? ''])
    .sort();
}

beforeAll(async () => {
  // no ambient registry credentials: only what a source or a call carries reaches the registry
  process.env.DOCKER_CONFIG = path.join(tmp, 'no-docker-config');
  process.env.REGISTRY_AUTH_FILE = path.join(tmp, 'no-auth.json');
  registry = await startRegistry({ auth: 'htpasswd' });
  model = path.join(tmp, 'tiny');
  cpSync(MODEL, model, { recursive: true });
  ref = `${registry.host}/verbs/tiny:v1`;
  digest = (await pushModel(model, ref, { credentials })).digest;
  const opened = await openModelSource(ref, { credentials });
  if (opened.kind !== 'artifact') throw new Error(`${ref} opened as a ${opened.kind}`);
  source = opened;
}, 120_000);
afterAll(async () => {
  await registry?.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('provenance and sbom: one verb, the same model on disk and stored', () => {
  it('provenance names the OMS root on disk, and the manifest digest then the OMS root for the artifact', async () => {
    const options = { sourceDir: false as const, buildType: 'ml-training' as const, jobs: 1 };
    const onDisk = await provenance(model, options);
    expect(onDisk.subject.map((s) => s.digest.sha256)).toEqual([ROOT]);
    const stored = await provenance(source, options);
    expect(stored.subject).toEqual([
      { name: `${registry.host}/verbs/tiny`, digest: { sha256: digest.slice(7) } },
      { name: 'tiny', digest: { sha256: ROOT } },
    ]);
    expect(stored.predicateType).toBe(SLSA_PROVENANCE_V1);
  });

  it('sbom lists the same files with the same SHA-256 both ways; the artifact is hashed by its manifest digest', async () => {
    const onDisk = await sbom(model, { jobs: 1 });
    const stored = await sbom(source);
    const expected = Object.entries(SHA256SUM).sort();
    expect(files(onDisk)).toEqual(expected);
    expect(files(stored)).toEqual(expected);
    expect(onDisk.metadata?.component?.hashes).toEqual([{ alg: 'SHA-256', content: ROOT }]);
    expect(stored.metadata?.component?.hashes).toEqual([{ alg: 'SHA-256', content: digest.slice(7) }]);
    expect(stored.metadata?.component?.modelCard).toEqual(onDisk.metadata?.component?.modelCard);
  });
});

describe('attest and verifyAttestation: one verb each, a file beside the model or a referrer', () => {
  it('on disk: the bundle beside the model names its OMS root, and verifies', async () => {
    const bom = await sbom(model, { jobs: 1 });
    const r = await attest(model, { signer, predicateType: CYCLONEDX_BOM, predicate: bom, jobs: 1 });
    expect(r).toMatchObject({ kind: 'directory', root: ROOT, output: `${model}.cyclonedx.sigstore.json` });
    expect(existsSync(`${model}.cyclonedx.sigstore.json`)).toBe(true);
    const v = await verifyAttestation(model, { verifier, predicateType: CYCLONEDX_BOM, jobs: 1 });
    expect(v).toMatchObject({ kind: 'directory', root: ROOT, source: `${model}.cyclonedx.sigstore.json` });
    expect((v.statement.predicate as { serialNumber: string }).serialNumber).toBe(bom.serialNumber);
  });

  it("stored: a referrer naming the manifest digest and OMS root, with the source's own credentials", async () => {
    const prov = await provenance(source, { sourceDir: false, buildType: 'ml-training' });
    const r = await attest(source, { signer, predicateType: SLSA_PROVENANCE_V1, predicate: prov.predicate });
    if (r.kind !== 'artifact') throw new Error(`attest stored a ${r.kind} attestation`);
    expect([r.reference, r.digest]).toEqual([ref, digest]);
    expect(r.subjects.map((s) => s.digest.sha256)).toEqual([digest.slice(7), ROOT]);
    const v = await verifyAttestation(source, { verifier, predicateType: SLSA_PROVENANCE_V1 });
    expect(v).toMatchObject({
      kind: 'artifact',
      reference: ref,
      digest,
      source: `${ref}@${r.referrer.digest}`,
    });
    expect(v.statement.subject.map((s) => s.digest.sha256)).toEqual([digest.slice(7), ROOT]);
    // the credentials came from the source: the same reference as a string, without them, is refused,
    // and with them in the call's options it verifies
    expect(
      (await rejectionOf(verifyAttestation(ref, { verifier, predicateType: SLSA_PROVENANCE_V1 }))).code,
    ).toBe('REGISTRY_AUTH');
    const again = await verifyAttestation(ref, { verifier, predicateType: SLSA_PROVENANCE_V1, credentials });
    expect(again.kind === 'artifact' && again.digest).toBe(digest);
  });

  it('options for a model on disk are USAGE with an artifact, before anything is pushed', async () => {
    const artifact = await openArtifact(ref, { credentials });
    const count = async () =>
      (await bundleReferrers(artifact.target, artifact.plan.descriptor, CYCLONEDX_BOM)).bundles.length;
    const before = await count();
    const output = path.join(tmp, 'elsewhere.json');
    const e = await rejectionOf(
      attest(source, { signer, predicateType: CYCLONEDX_BOM, predicate: {}, output }),
    );
    expect([e.code, e.message]).toEqual([
      'USAGE',
      `option 'output' is for a model on disk; ${ref} is an artifact (its attestation is stored as a referrer)`,
    ]);
    expect(existsSync(output)).toBe(false);
    expect(await count()).toBe(before);
    const v = await rejectionOf(
      verifyAttestation(source, { verifier, predicateType: CYCLONEDX_BOM, bundlePaths: [output] }),
    );
    expect([v.code, v.message]).toEqual([
      'USAGE',
      `option 'bundlePaths' is for a model on disk; ${ref} is an artifact (its attestations are its referrers)`,
    ]);
  });

  it('a missing path is NOT_FOUND for every verb, never a registry request', async () => {
    const typo = path.join(tmp, 'typo');
    const calls = [
      () => attest(typo, { signer, predicateType: CYCLONEDX_BOM, predicate: {} }),
      () => verifyAttestation(typo, { verifier, predicateType: CYCLONEDX_BOM }),
      () => sbom(typo),
      () => provenance(typo, { sourceDir: false }),
    ];
    for (const call of calls) {
      const e = await rejectionOf(call());
      expect([e.code, e.message]).toEqual([
        'NOT_FOUND',
        `${typo} does not exist (and is not an artifact reference: write host[:port]/repository[:tag] or oci:PATH[:tag])`,
      ]);
    }
  });

  it('the attestation of the directory stops verifying once one of its files changes', async () => {
    const copy = path.join(tmp, 'tampered');
    cpSync(model, copy, { recursive: true });
    await attest(copy, { signer, predicateType: CYCLONEDX_BOM, predicate: { ok: true }, jobs: 1 });
    writeFileSync(path.join(copy, 'config.json'), '{"evil": true}\n');
    const e = await rejectionOf(verifyAttestation(copy, { verifier, predicateType: CYCLONEDX_BOM, jobs: 1 }));
    expect(e.code).toBe('SUBJECT_MISMATCH');
  });
});
