// Issue 19: a registry that refuses us (REGISTRY_AUTH), a service that does not answer in time
// (TIMEOUT) or an abort, met while the signatures or attestations of an artifact are read or
// checked, ends the run with that error (exit 2). It is never folded into a failed check, which
// would turn "could not look" into "looked, and it was wrong" (exit 1). Real docker-registry with
// htpasswd, real keys, the library and the CLI.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { provenance } from './policy/signed-evidence.js';
import { openArtifact } from '../packages/core/src/source/oci-artifact.js';
import { checkSignatures, underCheck } from '../packages/core/src/verify/verify-artifact.js';
import {
  attest,
  keySigner,
  keyVerifier,
  pushModel,
  RegistryError,
  verifyAttestation,
} from '../packages/core/src/index.js';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import type { BundleVerifier } from '../packages/core/src/oms/verifier.js';
import { sign } from '../packages/core/src/sign/sign.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const SAMPLE = path.join(repo, 'fixtures/models/sample-model');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-run-ending-'));
const trainer = newKeyPair();
const SLSA = 'https://slsa.dev/provenance/v1';

let registry: RunningRegistry;
let ref: string;
let credentials: { username: string; password: string };

/** A verifier that checks with the trainer's key, after `before` (where a service call would be). */
function verifierThat(before: () => void): BundleVerifier {
  const inner = keyVerifier({ publicKey: trainer.publicKey });
  return {
    kind: 'key',
    verify: async (b) => {
      before();
      return inner.verify(b);
    },
  };
}

beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd' });
  credentials = { username: registry.username ?? '', password: registry.password ?? '' };
  const dir = path.join(tmp, 'model');
  cpSync(SAMPLE, dir, { recursive: true });
  ref = `${registry.host}/models/locked:v1`;
  await pushModel(dir, ref, { plainHttp: true, credentials });
  const signer = keySigner({ privateKey: trainer.privateKey });
  await sign(ref, { signer, plainHttp: true, credentials });
  await attest(ref, {
    signer,
    plainHttp: true,
    credentials,
    predicateType: SLSA,
    predicate: provenance({ builderId: 'https://github.com/acme/ml-platform/train@v1' }),
  });
  writeFileSync(path.join(tmp, 'trainer.pub'), publicKeyPem(trainer.publicKey));
}, 120_000);

afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('errors of the run end the signature checks', () => {
  it('with credentials the artifact verifies (the control)', async () => {
    const a = underCheck(await openArtifact(ref, { plainHttp: true, credentials }));
    const checked = await checkSignatures(a, { verifier: keyVerifier({ publicKey: trainer.publicKey }) });
    expect(checked.oms).toHaveLength(1);
    expect(checked.failures).toEqual([]);
  });

  it('REGISTRY_AUTH while the referrers are read is thrown, not a failed check', async () => {
    const a = underCheck(await openArtifact(ref, { plainHttp: true, credentials }));
    const anonymous = openTarget(ref, { plainHttp: true }).target; // same artifact, no credentials
    const err = await checkSignatures(
      { ...a, target: anonymous },
      { verifier: keyVerifier({ publicKey: trainer.publicKey }) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('REGISTRY_AUTH');
    expect((err as RegistryError).status).toBe(401);
  });

  it('TIMEOUT from a verifier is thrown; a verification error stays a failed check', async () => {
    const a = underCheck(await openArtifact(ref, { plainHttp: true, credentials }));
    const timeout = new RegistryError('TIMEOUT', 'the transparency log did not answer within 30 s');
    await expect(
      checkSignatures(a, {
        verifier: verifierThat(() => {
          throw timeout;
        }),
      }),
    ).rejects.toBe(timeout);
    const other = newKeyPair();
    const checked = await checkSignatures(a, { verifier: keyVerifier({ publicKey: other.publicKey }) });
    expect(checked.oms).toEqual([]);
    // the OMS referrer and the cosign referrer of sign(REF), both refused for the key
    expect(checked.checks.map((c) => [c.kind, c.verified, c.error?.code]).sort()).toEqual([
      ['cosign', false, 'WRONG_KEY'],
      ['oms', false, 'WRONG_KEY'],
    ]);
  });

  it('an abort while checking is thrown as it is', async () => {
    const a = underCheck(await openArtifact(ref, { plainHttp: true, credentials }));
    const ac = new AbortController();
    const verifier = verifierThat(() => {
      ac.abort();
      ac.signal.throwIfAborted();
    });
    const err = await checkSignatures(a, { verifier }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('TIMEOUT while an attestation is checked is thrown, not ATTESTATION failed', async () => {
    const timeout = new RegistryError('TIMEOUT', 'the timestamp authority did not answer within 30 s');
    await expect(
      verifyAttestation(ref, {
        plainHttp: true,
        credentials,
        predicateType: SLSA,
        verifier: verifierThat(() => {
          throw timeout;
        }),
      }),
    ).rejects.toBe(timeout);
  });

  it('verify REF --key without credentials: REGISTRY_AUTH, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'verify', ref, '--key', path.join(tmp, 'trainer.pub'), '--json'],
      { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: tmp, HOME: tmp } },
    );
    expect(r.status).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toContain('REGISTRY_AUTH');
  });
});
