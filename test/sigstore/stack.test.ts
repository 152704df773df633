// The local Sigstore stack signs and verifies keylessly over real HTTP, in every shape a real instance has.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keylessSigner } from '../../packages/core/src/sign/keyless.js';
import { keylessVerifier } from '../../packages/core/src/verify/sigstore-verifier.js';
import { parseTrustedRoot } from '../../packages/core/src/verify/trust-root.js';
import { parsedBundle as toParsed } from './parsed-bundle.js';
import {
  DEFAULT_GITHUB_CLAIMS,
  GITHUB_ISSUER,
  startSigstoreStack,
  TEST_EMAIL,
  TEST_ISSUER,
  type SigstoreStack,
} from './stack.js';
import { VECTORS_DIR } from '../shared-vectors.js';
import { rejectionOf } from '../rejection.js';
import { bundleJson, type BundleJson } from '../bundle-json.js';

const VECTORS = `${VECTORS_DIR}/`;
const STATEMENT = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'tiny', digest: { sha256: 'a'.repeat(64) } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: [] },
      resources: [],
    },
  }),
);
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

describe('local Sigstore stack: Fulcio + Rekor + TSA', () => {
  let stack: SigstoreStack;
  beforeAll(async () => {
    stack = await startSigstoreStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('signs a statement into a v0.3 bundle shaped like model_signing keyless output, and it verifies', async () => {
    const bundle = (await keylessSigner({
      signingConfig: stack.signingConfigPath,
      identityToken: stack.token(),
    }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<string, unknown>;
    const python = bundleJson(readFileSync(`${VECTORS}oms-python/v1.1.0-sigstore/model.sig`, 'utf8'));
    expect(bundle.mediaType).toBe(python.mediaType);
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(python).sort());
    const vm = bundle.verificationMaterial as BundleJson['verificationMaterial'];
    expect(Object.keys(vm).sort()).toEqual(Object.keys(python.verificationMaterial).sort());
    expect(vm.tlogEntries).toHaveLength(1);
    expect(Object.keys(vm.tlogEntries[0])).toEqual(Object.keys(python.verificationMaterial.tlogEntries[0]));
    expect(vm.tlogEntries[0].kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    const env = bundle.dsseEnvelope as { payloadType: string; signatures: object[] };
    expect(env.payloadType).toBe(python.dsseEnvelope.payloadType);
    expect(env.signatures.map((x) => Object.keys(x))).toEqual([['sig']]); // like model_signing keyless: no keyid
    expect(python.dsseEnvelope.signatures.map((x: object) => Object.keys(x))).toEqual([['sig']]);
    expect(vm.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    expect(stack.requests).toMatchObject({ fulcio: 1, rekor: 1, tsa: 1 });

    const res = await keylessVerifier({
      identity: TEST_EMAIL,
      issuer: TEST_ISSUER,
      trustedRoot: stack.trustedRootPath,
    }).verify(toParsed(bundle));
    expect(res.payload.equals(STATEMENT)).toBe(true);
    expect(res.signer).toMatchObject({ kind: 'keyless', identity: TEST_EMAIL, issuer: TEST_ISSUER });
    expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind).sort()).toEqual([
      'tlog',
      'tsa',
    ]);
  });

  it('signs repeatedly without the TSA fractional-second flake (one whole-second clock)', async () => {
    const signer = keylessSigner({ signingConfig: stack.signingConfigPath, identityToken: stack.token() });
    const verifier = keylessVerifier({
      identity: TEST_EMAIL,
      issuer: TEST_ISSUER,
      trustedRoot: stack.trustedRootPath,
    });
    const before = stack.requests.fulcio ?? 0;
    const logIndexes = new Set<string | undefined>();
    for (let i = 0; i < 8; i++) {
      const bundle = (await signer.signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<
        string,
        unknown
      >;
      const res = await verifier.verify(toParsed(bundle));
      expect(res.payload.equals(STATEMENT)).toBe(true);
      if (res.signer.kind !== 'keyless') throw new Error('expected a keyless signer');
      expect(res.signer.identity).toBe(TEST_EMAIL);
      const times = Object.fromEntries(res.signer.timestamps.map((t) => [t.kind, t.time]));
      expect(Object.keys(times).sort()).toEqual(['tlog', 'tsa']);
      expect(times.tsa).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/); // whole seconds
      logIndexes.add(res.signer.tlogIndex);
    }
    expect(logIndexes.size).toBe(8); // eight distinct Rekor entries
    expect((stack.requests.fulcio ?? 0) - before).toBe(8);
  });

  it("a bundle checked against another stack's trusted root fails with UNTRUSTED_CHAIN", async () => {
    const other = await startSigstoreStack();
    try {
      const bundle = (await keylessSigner({
        signingConfig: other.signingConfigPath,
        identityToken: other.token(),
      }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<string, unknown>;
      const err = await rejectionOf(
        keylessVerifier({
          identity: TEST_EMAIL,
          issuer: TEST_ISSUER,
          trustedRoot: stack.trustedRootPath,
        }).verify(toParsed(bundle)),
      );
      expect(err).toMatchObject({ code: 'UNTRUSTED_CHAIN' });
      expect(err.message).toBe(
        'model.sig: the signing certificate was not issued by any CA in the trusted root',
      );
    } finally {
      await other.close();
    }
  });

  it('GitHub Actions tokens become a workflow-URI identity with Fulcio extensions that the claim flags check', async () => {
    const bundle = (await keylessSigner({
      signingConfig: stack.signingConfigPath,
      identityToken: stack.githubToken(),
    }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<string, unknown>;
    const identity = `https://github.com/${DEFAULT_GITHUB_CLAIMS.job_workflow_ref}`;
    const right = {
      workflowRepository: 'octo/model',
      workflowRef: 'refs/heads/main',
      workflowTrigger: 'push',
      workflowSha: DEFAULT_GITHUB_CLAIMS.sha,
      workflowName: 'release',
    };
    const verify = (githubClaims: Record<string, string>) =>
      keylessVerifier({
        identity,
        issuer: GITHUB_ISSUER,
        githubClaims,
        trustedRoot: stack.trustedRootPath,
      }).verify(toParsed(bundle));
    const res = await verify(right);
    expect(res.signer.kind === 'keyless' && res.signer.extensions).toMatchObject({
      issuer: GITHUB_ISSUER,
      githubWorkflowRepository: 'octo/model',
      sourceRepositoryURI: 'https://github.com/octo/model',
      githubWorkflowRef: 'refs/heads/main',
      sourceRepositoryRef: 'refs/heads/main',
      githubWorkflowTrigger: 'push',
      buildTrigger: 'push',
      githubWorkflowSha: DEFAULT_GITHUB_CLAIMS.sha,
      githubWorkflowName: 'release',
      buildSignerURI: identity,
      runnerEnvironment: 'github-hosted',
      runInvocationURI: 'https://github.com/octo/model/actions/runs/42/attempts/1',
    });
    const wrong: Record<string, string> = {
      workflowRepository: 'octo/other',
      workflowRef: 'refs/heads/dev',
      workflowTrigger: 'pull_request',
      workflowSha: 'f'.repeat(40),
      workflowName: 'evil',
    };
    for (const [claim, value] of Object.entries(wrong)) {
      const err = await rejectionOf(verify({ ...right, [claim]: value }));
      expect(err).toMatchObject({ code: 'EXTENSION_MISMATCH' });
      expect(err.message).toContain(`expected ${JSON.stringify(value)}`);
    }
    // the identity is a URI: an unanchored regexp prefix or suffix trick must not pass
    const regexp = (identityRegExp: string) =>
      keylessVerifier({ identityRegExp, issuer: GITHUB_ISSUER, trustedRoot: stack.trustedRootPath })
        .verify(toParsed(bundle))
        .then(
          () => 'PASSED',
          (e: { code: string }) => e.code,
        );
    expect(await regexp('https://github\\.com/octo/model/')).toBe('IDENTITY_MISMATCH');
    expect(await regexp('github\\.com/octo/model/\\.github/workflows/release\\.yml@refs/heads/main')).toBe(
      'IDENTITY_MISMATCH',
    );
    expect(await regexp('https://github\\.com/octo/model/\\.github/workflows/.*')).toBe('PASSED');
  });
});

describe('keyless signing when a service is down', () => {
  it('is a SIGSTORE_SERVICE error naming the service, never echoing the token', async () => {
    const stack = await startSigstoreStack();
    const token = stack.token();
    await stack.close();
    const err = (await keylessSigner({
      fulcioURL: stack.fulcioURL,
      tsaURL: stack.tsaURL,
      identityToken: token,
      retries: 0,
      timeoutMs: 2000,
    })
      .signStatement(STATEMENT, PAYLOAD_TYPE)
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SIGSTORE_SERVICE');
    expect(err.message).toMatch(
      new RegExp(`^Fulcio at ${stack.fulcioURL.replace(/[.]/g, '\\.')} refused a certificate: `),
    );
    expect(err.message).not.toContain(token.split('.')[1]);
  });
});

describe('local Sigstore stack shaped like GitHub private signing: Fulcio + TSA, no Rekor', () => {
  let stack: SigstoreStack;
  beforeAll(async () => {
    stack = await startSigstoreStack({ rekor: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('signs with a TSA timestamp only; verify needs --insecure-ignore-tlog, and warns', async () => {
    const cfg = JSON.parse(readFileSync(stack.signingConfigPath, 'utf8'));
    expect(cfg.mediaType).toBe('application/vnd.dev.sigstore.signingconfig.v0.2+json');
    expect(cfg.rekorTlogUrls ?? []).toEqual([]); // protobuf JSON omits empty lists
    expect(cfg.tsaUrls).toEqual([expect.objectContaining({ url: stack.tsaURL, majorApiVersion: 1 })]);
    const bundle = (await keylessSigner({
      signingConfig: stack.signingConfigPath,
      identityToken: stack.token(),
    }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<string, unknown>;
    const vm = bundle.verificationMaterial as BundleJson['verificationMaterial'];
    expect(Object.keys(vm)).toEqual(['certificate', 'tlogEntries', 'timestampVerificationData']);
    expect(vm.tlogEntries).toEqual([]); // kept explicitly: the OMS bundle schema requires the key for keyless
    expect(vm.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    expect(stack.requests.rekor).toBeUndefined();
    const base = { identity: TEST_EMAIL, issuer: TEST_ISSUER, trustedRoot: stack.trustedRootPath };
    const err = await rejectionOf(keylessVerifier(base).verify(toParsed(bundle)));
    expect(err).toMatchObject({ code: 'TLOG_MISSING' });
    const res = await keylessVerifier({ ...base, ignoreTlog: true }).verify(toParsed(bundle));
    expect(res.warnings).toEqual(['transparency-log requirement disabled (option ignoreTlog)']);
    expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind)).toEqual(['tsa']);
  });
});

describe('local Sigstore stack without a TSA: Fulcio + Rekor', () => {
  it('signs with a Rekor entry only, which verifies with the default thresholds', async () => {
    const stack = await startSigstoreStack({ tsa: false });
    try {
      const bundle = (await keylessSigner({
        fulcioURL: stack.fulcioURL,
        rekorURL: stack.rekorURL,
        identityToken: stack.token(),
      }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<string, unknown>;
      const vm = bundle.verificationMaterial as BundleJson['verificationMaterial'];
      expect(vm.tlogEntries).toHaveLength(1);
      expect(vm.timestampVerificationData ?? {}).toEqual({});
      const res = await keylessVerifier({
        identity: TEST_EMAIL,
        issuer: TEST_ISSUER,
        trustedRoot: stack.trustedRootPath,
      }).verify(toParsed(bundle));
      expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind)).toEqual(['tlog']);
      expect(stack.requests).toEqual({ fulcio: 1, rekor: 1 });
    } finally {
      await stack.close();
    }
  });
});

describe('local Sigstore stack without a CT log (certificates carry no SCT)', () => {
  it('verify needs an SCT unless ignoreSct; an SCT from an unknown CT log is SCT_INVALID either way', async () => {
    const [noCt, withCt] = await Promise.all([startSigstoreStack({ ct: false }), startSigstoreStack()]);
    try {
      const sign = (s: SigstoreStack) =>
        keylessSigner({ signingConfig: s.signingConfigPath, identityToken: s.token() }).signStatement(
          STATEMENT,
          PAYLOAD_TYPE,
        ) as unknown as Promise<Record<string, unknown>>;
      const base = { identity: TEST_EMAIL, issuer: TEST_ISSUER, trustedRoot: noCt.trustedRootPath };
      const plain = toParsed(await sign(noCt));
      const err = await rejectionOf(keylessVerifier(base).verify(plain));
      expect(err.code).toBe('SCT_INVALID');
      expect(err.message).toBe('model.sig: certificate transparency check failed: expected 1 SCTs, got 0');
      const ok = await keylessVerifier({ ...base, ignoreSct: true }).verify(plain);
      expect(ok.warnings).toEqual(['embedded SCT requirement disabled (option ignoreSct)']);

      // a certificate whose SCT comes from a CT log the trusted root does not list
      const root = JSON.parse(readFileSync(withCt.trustedRootPath, 'utf8'));
      root.ctlogs = JSON.parse(readFileSync(noCt.trustedRootPath, 'utf8')).ctlogs ?? [];
      const foreign = toParsed(await sign(withCt));
      for (const ignoreSct of [false, true]) {
        const e = await keylessVerifier({
          identity: TEST_EMAIL,
          issuer: TEST_ISSUER,
          trustedRoot: parseTrustedRoot(root, 'mixed root'),
          ignoreSct,
        })
          .verify(foreign)
          .catch((x: unknown) => x as { code: string });
        expect(e).toMatchObject({ code: 'SCT_INVALID' });
      }
    } finally {
      await Promise.all([noCt.close(), withCt.close()]);
    }
  });
});

describe('local Sigstore stack with a Rekor v2 log (+ TSA)', () => {
  it('a signing config naming Rekor v2 yields a dsse 0.0.2 entry, verified with the TSA time', async () => {
    const stack = await startSigstoreStack({ rekorVersion: 2 });
    try {
      const bundle = (await keylessSigner({
        signingConfig: stack.signingConfigPath,
        identityToken: stack.token(),
      }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as Record<string, unknown>;
      const vm = bundle.verificationMaterial as BundleJson['verificationMaterial'];
      expect(vm.tlogEntries).toHaveLength(1);
      expect(vm.tlogEntries[0].kindVersion).toEqual({ kind: 'dsse', version: '0.0.2' });
      expect(vm.tlogEntries[0].inclusionPromise).toBeUndefined();
      const res = await keylessVerifier({
        identity: TEST_EMAIL,
        issuer: TEST_ISSUER,
        trustedRoot: stack.trustedRootPath,
      }).verify(toParsed(bundle));
      expect(res.signer.kind === 'keyless' && res.signer.timestamps.map((t) => t.kind)).toEqual(['tsa']);
      // the entry is bound to the signature: another signature's entry does not verify
      const other = (await keylessSigner({
        signingConfig: stack.signingConfigPath,
        identityToken: stack.token(),
      }).signStatement(STATEMENT, PAYLOAD_TYPE)) as unknown as BundleJson;
      vm.tlogEntries = other.verificationMaterial.tlogEntries;
      const err = await rejectionOf(
        keylessVerifier({
          identity: TEST_EMAIL,
          issuer: TEST_ISSUER,
          trustedRoot: stack.trustedRootPath,
        }).verify(toParsed(bundle)),
      );
      expect(err).toMatchObject({ code: 'TLOG_INVALID' });
    } finally {
      await stack.close();
    }
  });
});
