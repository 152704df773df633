// The local Sigstore stack signs and verifies keylessly over real HTTP, in every shape a real instance has.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keylessSigner } from '../../packages/core/src/sign/keyless.js';
import { sigstoreVerifier } from '../../packages/core/src/verify/sigstore-verifier.js';
import type { ParsedBundle } from '../../packages/core/src/verify/verifier.js';
import { startSigstoreStack, TEST_EMAIL, TEST_ISSUER, type SigstoreStack } from './stack.js';

const VECTORS = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));
const STATEMENT = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'tiny', digest: { sha256: 'a'.repeat(64) } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: [] }, resources: [] },
  }),
);
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export function toParsed(json: Record<string, unknown>, source = 'model.sig'): ParsedBundle {
  const env = json.dsseEnvelope as { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
  return {
    json,
    mediaType: json.mediaType as string,
    envelope: {
      payload: Buffer.from(env.payload, 'base64'),
      payloadType: env.payloadType,
      signatures: env.signatures.map((s) => ({ sig: Buffer.from(s.sig, 'base64'), keyid: s.keyid })),
    },
    source,
  };
}

describe('local Sigstore stack: Fulcio + Rekor + TSA', () => {
  let stack: SigstoreStack;
  beforeAll(async () => {
    stack = await startSigstoreStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('signs a statement into a v0.3 bundle shaped like model_signing keyless output, and it verifies', async () => {
    const bundle = (await keylessSigner({ signingConfig: stack.signingConfigPath, identityToken: stack.token() }).signStatement(
      STATEMENT,
      PAYLOAD_TYPE,
    )) as unknown as Record<string, unknown>;
    const python = JSON.parse(readFileSync(`${VECTORS}oms-python/v1.1.0-sigstore/model.sig`, 'utf8'));
    expect(bundle.mediaType).toBe(python.mediaType);
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(python).sort());
    const vm = bundle.verificationMaterial as Record<string, any>;
    expect(Object.keys(vm).sort()).toEqual(Object.keys(python.verificationMaterial).sort());
    expect(vm.tlogEntries).toHaveLength(1);
    expect(vm.tlogEntries[0].kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(vm.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
    expect(stack.requests).toMatchObject({ fulcio: 1, rekor: 1, tsa: 1 });

    const res = await sigstoreVerifier({ identity: TEST_EMAIL, issuer: TEST_ISSUER, trustedRoot: stack.trustedRootPath }).verify(
      toParsed(bundle),
    );
    expect(res.payload.equals(STATEMENT)).toBe(true);
    expect(res.signer).toMatchObject({ kind: 'keyless', identity: TEST_EMAIL, issuer: TEST_ISSUER });
    expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind).sort()).toEqual(['tlog', 'tsa']);
  });
});
