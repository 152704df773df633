// bindEvidence with really signed bundles (ECDSA keys made in the test): what binds, what does not
// and why, and the property that matters at the deploy gate — for random sets of referrers (bound,
// foreign, duplicated, reordered) the policy verdict equals the verdict on the bound subset alone.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cyclonedx, provenance, statement } from '../../../../test/policy/signed-evidence.js';
import { rootDigest } from '../digest/root-digest.js';
import { ModelsealError } from '../errors.js';
import { keySigner, keyVerifier } from '../index.js';
import { newKeyPair } from '../keys.js';
import { keysPolicyYaml } from '../../../../test/policy/key-policy.js';
import { buildStatement } from '../oms/statement.js';
import { evaluatePolicy } from '../policy/evaluate-policy.js';
import { parsePolicy } from '../policy/load-policy.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import { serializeBundle } from '../sign/dsse-bundle.js';
import type { ModelManifest, Resource } from '../types.js';
import { bindEvidence, type EvidenceSubject } from './bind-evidence.js';
import { policyEvidenceOf } from './policy-evidence.js';
import { rebindEvidence } from './referrer-evidence.js';
import { verifyBundles, type ListedBundle } from './verify-bundles.js';

const trainer = newKeyPair();
const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const MANIFEST = `sha256:${hex('manifest of A')}`;
const OTHER_MANIFEST = `sha256:${hex('manifest of C')}`;

const resources = (files: Record<string, string>): Resource[] =>
  Object.entries(files)
    .map(([name, body]) => ({ name, algorithm: 'sha256', digest: hex(body) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
const manifestOf = (r: Resource[]): ModelManifest => ({
  root: rootDigest(r),
  subjectName: 'model',
  config: { method: 'files', hashType: 'sha256', shardSize: 0 },
  allowSymlinks: false,
  ignorePaths: [],
  resources: r,
});
const FILES_A = resources({ 'model.safetensors': 'weights of A', 'config.json': '{}' });
const FILES_C = resources({ 'model.safetensors': 'weights of C', 'config.json': '{}' });
const ROOT_A = `sha256:${manifestOf(FILES_A).root}`;
const ROOT_C = `sha256:${manifestOf(FILES_C).root}`;
const subject: EvidenceSubject = {
  shown: 'registry/a:v1',
  manifestDigest: MANIFEST,
  files: async () => FILES_A,
};

const POLICY = parsePolicy(
  keysPolicyYaml(
    'prod',
    { trainer: trainer.publicKey },
    `    signatures:
      oms: {signedBy: [trainer]}
      cosign: {signedBy: [trainer]}
    provenance:
      signedBy: [trainer]
      builders: [{idRegExp: 'https://github\\.com/acme/ml-platform/.*', maxLevel: 3}]
    sbom:
      signedBy: [trainer]
      licenses: {deny: [AGPL-3.0-only]}
`,
  ),
  'prod.yaml',
);

async function bundle(name: string, payload: Buffer): Promise<ListedBundle> {
  const b = await keySigner({ privateKey: trainer.privateKey }).signStatement(payload, IN_TOTO_PAYLOAD_TYPE);
  const bytes = serializeBundle(b);
  return { source: `${name}@sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const GOOD = 'https://github.com/acme/ml-platform/.github/workflows/train.yml@refs/tags/v1';
const BAD = 'https://github.com/evil/ci/.github/workflows/x.yml@refs/heads/main';
const COSIGN = 'https://sigstore.dev/cosign/sign/v1';
const SLSA = 'https://slsa.dev/provenance/v1';
const CDX = 'https://cyclonedx.org/bom';

/** Referrers anyone with push access can add: bytes that are no Sigstore bundle at all. */
const JUNK: ListedBundle[] = [
  { source: 'junk-text@sha256:01', bytes: Buffer.from('not json'), predicateType: SLSA },
  { source: 'junk-empty@sha256:02', bytes: Buffer.from('{}') },
  {
    source: 'junk-media@sha256:03',
    bytes: json({ mediaType: 'application/vnd.dev.sigstore.bundle.v9+json' }),
    predicateType: 'https://model_signing/signature/v1.0',
  },
];

/** Bundles about A (bound) and about C (foreign); each foreign one would flip a check if it were used. */
async function corpus(): Promise<{ bound: ListedBundle[]; foreign: ListedBundle[] }> {
  return {
    bound: [
      await bundle('oms-a', buildStatement(manifestOf(FILES_A))),
      await bundle('cosign-a', json(statement(COSIGN, {}, MANIFEST))),
      await bundle('prov-a', json(statement(SLSA, provenance({ builderId: GOOD }), MANIFEST))),
      await bundle('sbom-a', json(statement(CDX, cyclonedx(), ROOT_A))),
    ],
    foreign: [
      ...JUNK,
      await bundle('oms-c', buildStatement(manifestOf(FILES_C))),
      await bundle(
        'oms-a-plus',
        buildStatement(
          manifestOf(
            resources({ 'model.safetensors': 'weights of A', 'config.json': '{}', 'evil.pkl': 'x' }),
          ),
        ),
      ),
      await bundle('cosign-c', json(statement(COSIGN, {}, OTHER_MANIFEST))),
      await bundle('prov-c-good', json(statement(SLSA, provenance({ builderId: GOOD }), ROOT_C))),
      await bundle('prov-c-bad', json(statement(SLSA, provenance({ builderId: BAD }), OTHER_MANIFEST))),
      await bundle('sbom-c-good', json(statement(CDX, cyclonedx(), OTHER_MANIFEST))),
      await bundle(
        'sbom-c-agpl',
        json(statement(CDX, cyclonedx({ modelLicenses: [{ license: { id: 'AGPL-3.0-only' } }] }), ROOT_C)),
      ),
    ],
  };
}

const verifier = keyVerifier({ publicKey: trainer.publicKey });
async function verdict(listed: ListedBundle[]) {
  const checked = await verifyBundles(listed, verifier);
  const { bound, evidence } = await rebindEvidence(checked, subject);
  expect(evidence).toEqual(policyEvidenceOf(bound, checked.failures));
  const result = evaluatePolicy(POLICY, evidence, { now: new Date(0) });
  return { result, bound, verdict: [result.allowed, ...result.checks.map((c) => `${c.name}:${c.passed}`)] };
}

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle<T>(items: T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('bindEvidence', () => {
  it('binds only evidence about this artifact, and says why the rest does not bind', async () => {
    const { bound, foreign } = await corpus();
    const { bound: b, result } = await verdict([...foreign, ...bound]);
    expect(result.allowed).toBe(true);
    expect(b.subjectDigests).toEqual([MANIFEST, ROOT_A]);
    expect(b.oms.map((s) => s.source.split('@')[0])).toEqual(['oms-a']);
    expect(b.cosign.map((s) => s.source.split('@')[0])).toEqual(['cosign-a']);
    expect(b.attestations.map((s) => s.source?.split('@')[0])).toEqual(['prov-a', 'sbom-a']);
    expect(b.unbound.map((u) => [u.source.split('@')[0], u.kind, u.code])).toEqual([
      ['cosign-c', 'cosign', 'SUBJECT_MISMATCH'],
      ['junk-empty', 'attestation', 'UNSUPPORTED_MEDIA_TYPE'],
      ['junk-media', 'oms', 'UNSUPPORTED_MEDIA_TYPE'],
      ['junk-text', 'provenance', 'MALFORMED_BUNDLE'],
      ['oms-a-plus', 'oms', 'MISSING_FILE'],
      ['oms-c', 'oms', 'TAMPERED_FILE'],
      ['prov-c-bad', 'provenance', 'SUBJECT_MISMATCH'],
      ['prov-c-good', 'provenance', 'SUBJECT_MISMATCH'],
      ['sbom-c-agpl', 'sbom', 'SUBJECT_MISMATCH'],
      ['sbom-c-good', 'sbom', 'SUBJECT_MISMATCH'],
    ]);
  });

  it('an archive file set leaves OMS signatures unbound with UNSUPPORTED_ARTIFACT, and what names only their root', async () => {
    const { bound } = await corpus();
    const checked = await verifyBundles(bound, verifier);
    // an input error of the file set (not a mismatch) propagates
    const unreadable = new ModelsealError('UNREADABLE', 'the staged files are not readable');
    await expect(
      bindEvidence({ ...subject, files: () => Promise.reject(unreadable) }, checked.verified),
    ).rejects.toBe(unreadable);
    const b = await bindEvidence(
      {
        ...subject,
        files: () => Promise.reject(new ModelsealError('UNSUPPORTED_ARTIFACT', 'layer 0 is an archive')),
      },
      checked.verified,
    );
    expect(b.oms).toEqual([]);
    expect(b.unbound.map((u) => [u.source.split('@')[0], u.code])).toEqual([
      ['oms-a', 'UNSUPPORTED_ARTIFACT'],
      ['sbom-a', 'SUBJECT_MISMATCH'], // it names A's root, which no bound signature vouches for
    ]);
  });

  it('a bundle that does not parse is reported unbound (never thrown); alone, it is the reason a check fails', async () => {
    const { bound } = await corpus();
    const mixed = await verdict([...JUNK, ...bound]);
    expect(mixed.result.allowed).toBe(true);
    expect(mixed.result.unbound?.map((u) => [u.source, u.code, u.signer])).toEqual([
      ['junk-empty@sha256:02', 'UNSUPPORTED_MEDIA_TYPE', undefined],
      ['junk-media@sha256:03', 'UNSUPPORTED_MEDIA_TYPE', undefined],
      ['junk-text@sha256:01', 'MALFORMED_BUNDLE', undefined],
    ]);
    expect(mixed.result.unbound?.[2].reason).toMatch(/^junk-text@sha256:01: /);
    // only junk: nothing acceptable remains, and the failed checks say why
    const alone = await verdict(JUNK);
    expect(alone.result.allowed).toBe(false);
    expect(alone.result.checks.find((c) => c.name === 'signatures.oms')).toMatchObject({
      passed: false,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      reason: expect.stringMatching(/^junk-media@sha256:03: /) as unknown,
    });
    expect(alone.result.checks.find((c) => c.name === 'provenance.signer')).toMatchObject({
      passed: false,
      code: 'MALFORMED_BUNDLE',
    });
  });

  it('property: for random bound/foreign/duplicated/reordered referrers the verdict equals the bound subset’s', async () => {
    const { bound, foreign } = await corpus();
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = random(seed);
      const keep = bound.filter(() => rnd() < 0.7);
      const noise = foreign.filter(() => rnd() < 0.6);
      const dupes = [...keep, ...noise].filter(() => rnd() < 0.3);
      const all = shuffle([...keep, ...noise, ...dupes], rnd);
      const [mixed, alone, reordered] = await Promise.all([
        verdict(all),
        verdict(keep),
        verdict(shuffle(all, rnd)),
      ]);
      expect(mixed.verdict, `seed ${seed}`).toEqual(alone.verdict);
      // the same set in another order gives the same result, reasons included
      expect(reordered.result, `seed ${seed}`).toEqual(mixed.result);
    }
  });
});
