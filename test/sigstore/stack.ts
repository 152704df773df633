// A local Sigstore instance for tests and manual runs: Fulcio, Rekor and a TSA built from the
// @sigstore/mock building blocks, served over real HTTP on 127.0.0.1, with a matching trusted root
// and signing config written to a temp dir. Tokens are unsigned test JWTs (the mock Fulcio does not check them).
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mockModule from '@sigstore/mock';

// @sigstore/protobuf-specs is a dependency of packages/core: resolve it from there.
const coreRequire = createRequire(
  fileURLToPath(new URL('../../packages/core/package.json', import.meta.url)),
);

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
type HandlerResult = { statusCode: number; response: string | ArrayBufferView; contentType?: string };
type Handler = { path: string; fn: (body: string) => Promise<HandlerResult> };
type TLogEntry = Record<string, unknown>;
interface MockModule {
  initializeCTLog(kp: KeyPair, clock?: Date): Promise<{ publicKey: Buffer; logID: ArrayBufferView }>;
  initializeCA(kp: KeyPair, ctlog: unknown, clock?: Date): Promise<{ rootCertificate: Buffer }>;
  initializeTLog(
    url: string,
    kp: KeyPair,
    clock?: Date,
  ): Promise<{ publicKey: Buffer; logV2(entry: object): Promise<TLogEntry> }>;
  initializeTSA(
    kp: KeyPair,
    clock?: Date,
  ): Promise<{ rootCertificate: ArrayBufferView; intCertificate: ArrayBufferView }>;
  fulcioHandler(ca: unknown, opts?: { strict?: boolean; subjectClaim?: string }): Handler;
  rekorHandler(tlog: unknown, opts?: { strict?: boolean }): Handler;
  tsaHandler(tsa: unknown, opts?: { strict?: boolean }): Handler;
}
interface SpecsModule {
  TrustedRoot: { toJSON(v: unknown): unknown };
  TransparencyLogEntry: { toJSON(v: unknown): unknown };
  SigningConfig: { toJSON(v: unknown): unknown; fromJSON(v: unknown): unknown };
  HashAlgorithm: { SHA2_256: number };
  PublicKeyDetails: { PKIX_ECDSA_P256_SHA_256: number };
  ServiceSelector: { ANY: number };
}
const mock = mockModule as unknown as MockModule;
const specs = coreRequire('@sigstore/protobuf-specs') as SpecsModule;

/** Issuer and identity of the default test token. */
export const TEST_ISSUER = 'https://oidc.modelseal.test';
export const TEST_EMAIL = 'dev@example.test';
/** Issuer GitHub Actions tokens carry. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface SigstoreStackOptions {
  /** Serve an RFC 3161 timestamp authority (default true). */
  tsa?: boolean;
  /** Serve a Rekor transparency log (default true). `false` mimics GitHub's private instance. */
  rekor?: boolean;
  /** Embed an SCT from a CT log in every certificate (default true). */
  ct?: boolean;
  /** Rekor API major version: 1 (default, entries with inclusion promise) or 2 (tile-based; needs a TSA). */
  rekorVersion?: 1 | 2;
}

export interface SigstoreStack {
  url: string;
  fulcioURL: string;
  /** Undefined when started with `rekor: false`. */
  rekorURL?: string;
  /** Undefined when started with `tsa: false`. */
  tsaURL?: string;
  /** GitHub Actions-style token endpoint: set ACTIONS_ID_TOKEN_REQUEST_URL to it and _TOKEN to `ghaRequestToken`. */
  ghaTokenURL: string;
  ghaRequestToken: string;
  /** Claims (over DEFAULT_GITHUB_CLAIMS) of the token the GitHub Actions endpoint hands out. */
  ghaClaims: Record<string, unknown>;
  dir: string;
  trustedRootPath: string;
  signingConfigPath: string;
  /** An unsigned OIDC token: defaults to {iss: TEST_ISSUER, sub/email: TEST_EMAIL}; claims override. */
  token(claims?: Record<string, unknown>): string;
  /** A GitHub Actions-style token (repository octo/model, ref refs/heads/main, ...); claims override. */
  githubToken(claims?: Record<string, unknown>): string;
  /** Requests served, by route (fulcio, rekor, tsa, gha): lets tests see which services were used. */
  requests: Record<string, number>;
  /**
   * When set, Fulcio issues its certificates with this instead of the mock CA (for certificates
   * Fulcio would never issue); the stack's CA key and name are handed over. Unset: the mock CA.
   */
  issueLeaf: ((req: LeafRequest) => Promise<Buffer>) | undefined;
  close(): Promise<void>;
}

/** What the mock Fulcio asked its CA for, plus what an alternative issuer needs to sign. */
export interface LeafRequest {
  /** the signer's key, SPKI DER */
  publicKey: Buffer;
  subjectAltName: string;
  /** Fulcio extensions derived from the token (legacy ones hold raw strings) */
  extensions: { oid: string; value: string; legacy?: boolean }[];
  /** the CA's name (as the root certificate's subject) and private key */
  issuerName: string;
  caPrivateKey: KeyObject;
  /** the stack's clock */
  now: Date;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

export const DEFAULT_GITHUB_CLAIMS = {
  iss: GITHUB_ISSUER,
  sub: 'repo:octo/model:ref:refs/heads/main',
  aud: 'sigstore',
  repository: 'octo/model',
  repository_owner: 'octo',
  repository_id: '1001',
  repository_owner_id: '2002',
  ref: 'refs/heads/main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  event_name: 'push',
  workflow: 'release',
  workflow_ref: 'octo/model/.github/workflows/release.yml@refs/heads/main',
  workflow_sha: '0123456789abcdef0123456789abcdef01234567',
  job_workflow_ref: 'octo/model/.github/workflows/release.yml@refs/heads/main',
  job_workflow_sha: '0123456789abcdef0123456789abcdef01234567',
  runner_environment: 'github-hosted',
  repository_visibility: 'public',
  run_id: '42',
  run_attempt: '1',
};

/** The SAN real Fulcio derives from a token: GitHub workflow URI, else verified email, else `sub`. */
function fulcioSubject(claims: Record<string, unknown>): string {
  if (claims.iss === GITHUB_ISSUER && typeof claims.job_workflow_ref === 'string') {
    return `https://github.com/${claims.job_workflow_ref}`;
  }
  if (typeof claims.email === 'string' && claims.email_verified === true) return claims.email;
  return typeof claims.sub === 'string' ? claims.sub : '';
}

/** Put the Fulcio-style SAN into a claim the mock CA reads (`fulcio_san`), keeping every other claim. */
function withSubjectClaim(body: string): string {
  const req = JSON.parse(body) as { credentials: { oidcIdentityToken: string } };
  const [, payload] = req.credentials.oidcIdentityToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  req.credentials.oidcIdentityToken = unsignedJwt({ ...claims, fulcio_san: fulcioSubject(claims) });
  return JSON.stringify(req);
}

/**
 * The mock Rekor logs a DSSE proposal verbatim; real Rekor stores the canonical dsse 0.0.1 body
 * {envelopeHash, payloadHash, signatures}. Rewrite the proposal into that body before it is logged.
 */
function canonicalDsseProposal(body: string): string {
  const entry = JSON.parse(body) as {
    kind?: string;
    spec?: { proposedContent?: { envelope: string; verifiers: string[] } };
  };
  if (entry.kind !== 'dsse' || !entry.spec?.proposedContent) return body;
  const { envelope, verifiers } = entry.spec.proposedContent;
  const env = JSON.parse(envelope) as { payload: string; signatures: { sig: string }[] };
  const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  return JSON.stringify({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(env.payload, 'base64')) },
      signatures: env.signatures.map((s, i) => ({
        signature: s.sig,
        verifier: verifiers[i] ?? verifiers[0],
      })),
    },
  });
}

/**
 * Rekor v2 stores a DSSE request as the canonical dsse 0.0.2 entry {payloadHash, signatures[{content, verifier}]};
 * the mock would log the request itself. Build the entry the way the real log does.
 */
function rekorV2DsseEntry(body: string): object {
  const req = JSON.parse(body) as {
    dsseRequestV002?: { envelope: { payload: string; signatures: { sig: string }[] }; verifiers: object[] };
  };
  const dsse = req.dsseRequestV002;
  if (!dsse) throw new Error('only dsseRequestV002 entries are supported by the local Rekor v2');
  return {
    apiVersion: '0.0.2',
    kind: 'dsse',
    spec: {
      dsseV002: {
        payloadHash: {
          algorithm: 'SHA2_256',
          digest: createHash('sha256').update(Buffer.from(dsse.envelope.payload, 'base64')).digest('base64'),
        },
        signatures: dsse.envelope.signatures.map((sg, i) => ({
          content: sg.sig,
          verifier: dsse.verifiers[i] ?? dsse.verifiers[0],
        })),
      },
    },
  };
}

const keyPair = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Start a local Sigstore instance on 127.0.0.1 (random port). Call close() when done. */
export async function startSigstoreStack(opts: SigstoreStackOptions = {}): Promise<SigstoreStack> {
  const withTsa = opts.tsa ?? true;
  const withRekor = opts.rekor ?? true;

  // One whole-second clock, a couple of seconds ahead, shared by every component: the mock TSA's
  // fractional seconds would otherwise break @sigstore/core's GeneralizedTime parser, and a TSA time
  // behind its certificate's notBefore would not verify. It ticks (never backwards) per request.
  const wholeSecondAhead = () => (Math.floor(Date.now() / 1000) + 2) * 1000;
  const clock = new Date(wholeSecondAhead());
  const start = new Date(clock.getTime() - 60_000);
  const tick = () => clock.setTime(Math.max(clock.getTime(), wholeSecondAhead()));

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fulcioURL = `${url}/fulcio`;
  const rekorURL = withRekor ? `${url}/rekor` : undefined;
  const tsaURL = withTsa ? `${url}/tsa/api/v1/timestamp` : undefined;
  const ghaTokenURL = `${url}/gha/token`;
  const ghaRequestToken = createHash('sha256').update(url).update(String(Math.random())).digest('hex');

  const ctlog = await mock.initializeCTLog(keyPair(), clock);
  const caKeys = keyPair();
  const ca = (await mock.initializeCA(caKeys, (opts.ct ?? true) ? ctlog : undefined, clock)) as {
    rootCertificate: Buffer;
    issueCertificate(o: Omit<LeafRequest, 'issuerName' | 'caPrivateKey' | 'now'>): Promise<Buffer>;
  };
  const mockIssue = ca.issueCertificate.bind(ca);
  ca.issueCertificate = (o) =>
    state.issueLeaf
      ? state.issueLeaf({
          ...o,
          publicKey: Buffer.from(o.publicKey),
          issuerName: 'CN=sigstore,O=sigstore.mock',
          caPrivateKey: caKeys.privateKey,
          now: new Date(clock.getTime()),
        })
      : mockIssue(o);
  const tlogKeys = keyPair();
  const tlog = withRekor ? await mock.initializeTLog(rekorURL as string, tlogKeys, clock) : undefined;
  const tsa = withTsa ? await mock.initializeTSA(keyPair(), clock) : undefined;

  const routes = new Map<string, { name: string; fn: (body: string) => Promise<HandlerResult> }>();
  const fulcio = mock.fulcioHandler(ca, { subjectClaim: 'fulcio_san' });
  routes.set(`/fulcio${fulcio.path}`, { name: 'fulcio', fn: (b) => fulcio.fn(withSubjectClaim(b)) });
  const rekorVersion = opts.rekorVersion ?? 1;
  if (tlog && rekorVersion === 1) {
    const rekor = mock.rekorHandler(tlog);
    routes.set(`/rekor${rekor.path}`, { name: 'rekor', fn: (b) => rekor.fn(canonicalDsseProposal(b)) });
  }
  if (tlog && rekorVersion === 2) {
    routes.set('/rekor/api/v2/log/entries', {
      name: 'rekor',
      fn: async (b) => {
        try {
          const entry = await tlog.logV2(rekorV2DsseEntry(b));
          // The mock's one-leaf tree holds the entry at index 0, but it writes the random global index
          // into the proof (which then cannot verify): state the leaf's real index, as v1 does.
          (entry.inclusionProof as { logIndex: string }).logIndex = '0';
          return {
            statusCode: 201,
            response: JSON.stringify(specs.TransparencyLogEntry.toJSON(entry)),
            contentType: 'application/json',
          };
        } catch (e) {
          return { statusCode: 400, response: (e as Error).message };
        }
      },
    });
  }
  if (tsa) {
    const ts = mock.tsaHandler(tsa);
    routes.set(`/tsa${ts.path}`, { name: 'tsa', fn: ts.fn });
  }

  const requests: Record<string, number> = {};
  const state: {
    ghaClaims: Record<string, unknown>;
    issueLeaf: SigstoreStack['issueLeaf'];
  } = { ghaClaims: {}, issueLeaf: undefined };
  const send = (res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = new URL(req.url ?? '/', url).pathname;
      if (req.method === 'GET' && path === '/gha/token') {
        requests.gha = (requests.gha ?? 0) + 1;
        const audience = new URL(req.url ?? '/', url).searchParams.get('audience');
        if (req.headers.authorization !== `Bearer ${ghaRequestToken}`)
          return send(res, 401, 'bad request token');
        return send(
          res,
          200,
          JSON.stringify({
            value: unsignedJwt({ ...DEFAULT_GITHUB_CLAIMS, ...state.ghaClaims, aud: audience }),
          }),
          'application/json',
        );
      }
      const route = req.method === 'POST' ? routes.get(path) : undefined;
      if (!route) return send(res, 404, `no such endpoint: ${req.method} ${path}`);
      requests[route.name] = (requests[route.name] ?? 0) + 1;
      const body = await readBody(req);
      tick();
      const out = await route.fn(body);
      const payload = typeof out.response === 'string' ? out.response : bytes(out.response);
      send(res, out.statusCode, payload, out.contentType ?? 'application/json');
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, String((e as Error).message ?? e));
    });
  });

  const dir = mkdtempSync(join(tmpdir(), 'modelseal-sigstore-'));
  const trustedRoot = specs.TrustedRoot.toJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: tlog
      ? [
          {
            baseUrl: rekorURL,
            hashAlgorithm: specs.HashAlgorithm.SHA2_256,
            publicKey: {
              rawBytes: tlog.publicKey,
              keyDetails: specs.PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
              validFor: { start },
            },
            logId: { keyId: createHash('sha256').update(tlog.publicKey).digest() },
            operator: 'modelseal.test',
          },
        ]
      : [],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: fulcioURL,
        certChain: { certificates: [{ rawBytes: ca.rootCertificate }] },
        validFor: { start },
        operator: 'modelseal.test',
      },
    ],
    ctlogs:
      (opts.ct ?? true)
        ? [
            {
              baseUrl: `${url}/ctlog`,
              hashAlgorithm: specs.HashAlgorithm.SHA2_256,
              publicKey: {
                rawBytes: ctlog.publicKey,
                keyDetails: specs.PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
                validFor: { start },
              },
              logId: { keyId: bytes(ctlog.logID) },
              operator: 'modelseal.test',
            },
          ]
        : [],
    timestampAuthorities: tsa
      ? [
          {
            subject: { organization: 'sigstore.mock', commonName: 'sigstore-tsa' },
            uri: tsaURL,
            certChain: {
              certificates: [
                { rawBytes: bytes(tsa.intCertificate) },
                { rawBytes: bytes(tsa.rootCertificate) },
              ],
            },
            validFor: { start },
            operator: 'modelseal.test',
          },
        ]
      : [],
  });
  const service = (u: string, majorApiVersion = 1) => ({
    url: u,
    majorApiVersion,
    validFor: { start },
    operator: 'modelseal.test',
  });
  const signingConfig = specs.SigningConfig.toJSON({
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(fulcioURL)],
    oidcUrls: [],
    rekorTlogUrls: rekorURL ? [service(rekorURL, rekorVersion)] : [],
    tsaUrls: tsaURL ? [service(tsaURL)] : [],
    rekorTlogConfig: rekorURL ? { selector: specs.ServiceSelector.ANY, count: 0 } : undefined,
    tsaConfig: tsaURL ? { selector: specs.ServiceSelector.ANY, count: 0 } : undefined,
  });
  const trustedRootPath = join(dir, 'trusted_root.json');
  const signingConfigPath = join(dir, 'signing_config.json');
  writeFileSync(trustedRootPath, `${JSON.stringify(trustedRoot, null, 2)}\n`);
  writeFileSync(signingConfigPath, `${JSON.stringify(signingConfig, null, 2)}\n`);

  const now = () => Math.floor(Date.now() / 1000);
  return {
    url,
    fulcioURL,
    rekorURL,
    tsaURL,
    ghaTokenURL,
    ghaRequestToken,
    dir,
    trustedRootPath,
    signingConfigPath,
    requests,
    token: (claims = {}) =>
      unsignedJwt({
        iss: TEST_ISSUER,
        sub: TEST_EMAIL,
        email: TEST_EMAIL,
        email_verified: true,
        aud: 'sigstore',
        iat: now(),
        exp: now() + 600,
        ...claims,
      }),
    githubToken: (claims = {}) =>
      unsignedJwt({ ...DEFAULT_GITHUB_CLAIMS, iat: now(), exp: now() + 600, ...claims }),
    get ghaClaims() {
      return state.ghaClaims;
    },
    set ghaClaims(v: Record<string, unknown>) {
      state.ghaClaims = v;
    },
    get issueLeaf() {
      return state.issueLeaf;
    },
    set issueLeaf(v: SigstoreStack['issueLeaf']) {
      state.issueLeaf = v;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
