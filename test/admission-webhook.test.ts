// The admission webhook end to end: real AdmissionReview v1 JSON (fixtures/admission, shaped like the
// API server's) over real HTTPS with a CA made here by openssl, against a real docker-registry behind
// a counting proxy holding a model pushed and signed by the CLI. The mutation patch is applied with
// fast-json-patch and the result validated against the Kubernetes OpenAPI schemas (kubernetes-models).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmissionServer } from '../packages/core/src/admission/index.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { parsePolicy } from '../packages/core/src/policy/load-policy.js';
import { policyVerifier } from '../packages/core/src/policy/policy-verifier.js';
import { startFaultProxy, type FaultProxy } from './registry/fault-proxy.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { startStallingServer, type StallingServer } from './hardening/stalling-server.js';
import { keyPolicyYaml, type KeyPolicyOptions } from './policy/key-policy.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const MODEL = path.join(repo, 'fixtures/models/hf-tiny-llama');
const KEY = path.join(repo, 'fixtures/keys/test.key');
const PUB = readFileSync(path.join(repo, 'fixtures/keys/test.pub'), 'utf8');
const REVIEW = readFileSync(path.join(repo, 'fixtures/admission/pod-create-review.json'), 'utf8');
const IMAGE = 'registry.example.com/modelseal@sha256:' + '5e'.repeat(32);
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-admission-'));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl. */
function tls(): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(tmp, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=test webhook CA',
  );
  ssl(
    'req',
    ...ec,
    '-keyout',
    f('tls.key'),
    '-out',
    f('tls.csr'),
    '-subj',
    '/CN=modelseal-admission.modelseal.svc',
  );
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:modelseal-admission.modelseal.svc,IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('tls.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
    '-out',
    f('tls.crt'),
  );
  return {
    ca: readFileSync(f('ca.crt'), 'utf8'),
    cert: readFileSync(f('tls.crt'), 'utf8'),
    key: readFileSync(f('tls.key'), 'utf8'),
  };
}

let registry: RunningRegistry;
let proxy: FaultProxy;
let stall: StallingServer;
let pki: { ca: string; cert: string; key: string };
let ref: string; // through the counting proxy
let digest: string;
let unsignedRef: string;
const servers: Server[] = [];

/** Run the CLI (async: the counting proxy lives in this process). */
function modelseal(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: tmp,
      env: { ...process.env, COSIGN_PASSWORD: 'modelseal-test' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

beforeAll(async () => {
  pki = tls();
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  stall = await startStallingServer('silent');
  ref = `${proxy.host}/models/sentiment:v3`;
  const push = await modelseal(['push', MODEL, ref, '--sign', '--key', KEY]);
  expect(push.code, push.stderr).toBe(0);
  unsignedRef = `${proxy.host}/models/unsigned:v1`;
  const unsigned = await modelseal(['push', MODEL, unsignedRef]);
  expect(unsigned.code, unsigned.stderr).toBe(0);
  const { target, selector } = openTarget(ref);
  digest = (await target.resolve(selector)).digest;
}, 120_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await stall?.close();
  await proxy?.close();
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A webhook server for the policy `o` (key identity `trainer` = the fixture key by default). */
async function webhook(
  o: Partial<KeyPolicyOptions> & { timeoutMs?: number; resolveTtlMs?: number } = {},
): Promise<string> {
  const loaded = parsePolicy(keyPolicyYaml({ name: 'models', publicKeyPem: PUB, ...o }), 'policy.yaml');
  const server = createAdmissionServer({
    tls: { cert: pki.cert, key: pki.key },
    policy: loaded,
    verifier: policyVerifier(loaded.policy),
    image: IMAGE,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.resolveTtlMs !== undefined ? { resolveTtlMs: o.resolveTtlMs } : {}),
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function post(url: string, body: string | Buffer): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca: pki.ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            body: text.startsWith('{') ? (JSON.parse(text) as Json) : { text },
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The fixture review with the model annotation set to `model` (or removed when undefined). */
function review(model: string | undefined, edit: (pod: Json) => void = () => {}): Json {
  const r = JSON.parse(REVIEW) as Json;
  const pod = r.request.object as Json;
  if (model === undefined) delete pod.metadata.annotations;
  else pod.metadata.annotations['modelseal.dev/model'] = model;
  edit(pod);
  return r;
}

/** Send `r` to /mutate, apply the patch to its Pod with fast-json-patch, and return the Pod. */
async function mutated(url: string, r: Json): Promise<Json> {
  const res = await post(`${url}/mutate`, JSON.stringify(r));
  expect(res.status).toBe(200);
  expect(res.body.response).toMatchObject({ uid: r.request.uid, allowed: true, patchType: 'JSONPatch' });
  const patch = JSON.parse(
    Buffer.from(res.body.response.patch as string, 'base64').toString(),
  ) as Operation[];
  return jsonpatch.applyPatch(structuredClone(r.request.object), patch, true, false).newDocument as Json;
}

async function validate(url: string, pod: Json, query = ''): Promise<Json> {
  const r = JSON.parse(REVIEW) as Json;
  r.request.object = pod;
  const res = await post(`${url}/validate${query}`, JSON.stringify(r));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
  expect(res.body.response.uid).toBe(r.request.uid);
  return res.body.response as Json;
}

describe('admission webhook: /mutate', () => {
  it('adds the init container pinned to the digest, its volumes and read-only mounts: a schema-valid Pod', async () => {
    const url = await webhook();
    const pod = await mutated(url, review(ref));
    expect(() => new Pod(pod as never).validate()).not.toThrow();
    const [init] = pod.spec.initContainers as Json[];
    expect(init.name).toBe('modelseal');
    expect(init.image).toBe(IMAGE);
    expect(init.args).toEqual([
      'pull',
      `${ref}@${digest}`,
      '/modelseal/model',
      '--policy',
      '/etc/modelseal/policy.yaml',
      '--result',
      '/modelseal/result.json',
    ]);
    expect(init.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect((pod.spec.volumes as Json[]).map((v) => v.name)).toEqual([
      'tmp',
      'modelseal-model',
      'modelseal-tmp',
      'modelseal-policy',
    ]);
    for (const c of pod.spec.containers as Json[])
      expect(c.volumeMounts).toContainEqual({
        name: 'modelseal-model',
        mountPath: '/models/model',
        subPath: 'model',
        readOnly: true,
      });
    expect(pod.metadata.annotations['modelseal.dev/digest']).toBe(digest);
    // The mutated Pod passes validation: the signed model, the exact init container.
    expect(await validate(url, pod)).toEqual({ uid: expect.any(String), allowed: true });
  }, 60_000);

  it('a mount-path annotation moves the mount; a Pod without annotation or of another kind is left alone', async () => {
    const url = await webhook();
    const pod = await mutated(
      url,
      review(ref, (p) => (p.metadata.annotations['modelseal.dev/mount-path'] = '/srv/weights')),
    );
    expect((pod.spec.containers as Json[])[1].volumeMounts).toEqual([
      { name: 'modelseal-model', mountPath: '/srv/weights', subPath: 'model', readOnly: true },
    ]);
    const plain = await post(`${url}/mutate`, JSON.stringify(review(undefined)));
    expect(plain.body.response).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    const bad = await post(
      `${url}/mutate`,
      JSON.stringify(
        review(ref, (p) => (p.metadata.annotations['modelseal.dev/mount-path'] = '/models/../etc')),
      ),
    );
    expect(bad.body.response.allowed).toBe(false);
    expect(bad.body.response.status.message).toMatch(
      /^modelseal: USAGE: annotation modelseal.dev\/mount-path must be an absolute path without '\.\.'/,
    );
  }, 60_000);

  it("refuses an oci: layout reference (no local files on a Pod's behalf) and a missing tag (fail closed)", async () => {
    const url = await webhook();
    const layout = await post(`${url}/mutate`, JSON.stringify(review('oci:/etc/modelseal:v1')));
    expect(layout.body.response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(layout.body.response.status.message).toContain(
      'modelseal: BAD_REFERENCE: annotation modelseal.dev/model',
    );
    const missing = await post(
      `${url}/mutate`,
      JSON.stringify(review(`${proxy.host}/models/sentiment:nope`)),
    );
    expect(missing.body.response.allowed).toBe(false);
    expect(missing.body.response.status.message).toMatch(/^modelseal: NOT_FOUND: /);
  }, 60_000);
});

describe('admission webhook: /validate denies, naming the failed check', () => {
  let good: Json;
  beforeAll(async () => {
    good = await mutated(await webhook(), review(ref));
  }, 60_000);

  const denial = async (o: Partial<KeyPolicyOptions>, pod: Json = good): Promise<string> => {
    const res = await validate(await webhook(o), pod);
    expect(res.allowed).toBe(false);
    expect(res.status.code).toBe(403);
    return res.status.message as string;
  };

  it('signatures.oms: signed by another key than the policy names', async () => {
    const other = execFileSync('openssl', ['ec', '-pubout'], {
      input: execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']),
    }).toString();
    expect(await denial({ publicKeyPem: other })).toMatch(
      new RegExp(
        `^modelseal: policy models denies ${ref.replace(/[.]/g, '\\.')}@${digest}: signatures\\.oms: .*: signed by a different key `,
      ),
    );
  }, 60_000);

  it('signatures.oms: an unsigned model', async () => {
    const pod = await mutated(await webhook(), review(unsignedRef));
    expect(await denial({}, pod)).toMatch(/: signatures\.oms: no verified OMS signature$/);
  }, 60_000);

  it('provenance and sbom: required but not attached (the push signed OMS and cosign only)', async () => {
    expect(
      await denial({
        cosign: true,
        provenance: { builderRegExp: 'https://github\\.com/acme/.*', maxLevel: 3 },
      }),
    ).toMatch(/: provenance\.signer: no verified attestation of this type$/);
    expect(await denial({ sbom: {} })).toMatch(/: sbom\.signer: no verified attestation of this type$/);
  }, 60_000);

  it('pod-shape: the model volume without the init container, a writable mount, another image, an unpinned pull', async () => {
    const noInit = structuredClone(good);
    noInit.spec.initContainers = [];
    expect(await denial({}, noInit)).toMatch(
      /^modelseal: pod-shape: the Pod names a model or carries volume modelseal-model without the modelseal init container/,
    );
    const unannotated = structuredClone(noInit);
    delete unannotated.metadata.annotations;
    expect(await denial({}, unannotated)).toMatch(/^modelseal: pod-shape: /);
    const writable = structuredClone(good);
    writable.spec.containers[1].volumeMounts[0].readOnly = false;
    expect(await denial({}, writable)).toBe(
      'modelseal: pod-shape: container metrics mounts volume modelseal-model writable',
    );
    const image = structuredClone(good);
    image.spec.initContainers[0].image = 'evil.example.com/modelseal:latest';
    expect(await denial({}, image)).toMatch(
      /^modelseal: pod-shape: init container modelseal runs image evil\.example\.com/,
    );
    const unpinned = structuredClone(good);
    unpinned.spec.initContainers[0].args[1] = ref;
    expect(await denial({}, unpinned)).toMatch(
      /does not run the verifying pull of a digest-pinned reference$/,
    );
    // The init container is right, but its policy comes from the Pod author's own ConfigMap (one
    // without the weights check the webhook leaves to the init container), or is remapped, or
    // shadowed by another mount, or the entrypoint is replaced: each is refused.
    const policyVolume = (p: Json): Json =>
      (p.spec.volumes as Json[]).find((v) => v.name === 'modelseal-policy') as Json;
    const ownPolicy = structuredClone(good);
    policyVolume(ownPolicy).configMap.name = 'my-lax-policy';
    expect(await denial({}, ownPolicy)).toMatch(
      /^modelseal: pod-shape: volume modelseal-policy does not have the source the webhook gives it/,
    );
    const remapped = structuredClone(good);
    policyVolume(remapped).configMap.items = [{ key: 'lax.yaml', path: 'policy.yaml' }];
    expect(await denial({}, remapped)).toMatch(/^modelseal: pod-shape: volume modelseal-policy /);
    const defaulted = structuredClone(good);
    policyVolume(defaulted).configMap.defaultMode = 420; // what the API server adds: still allowed
    expect((await validate(await webhook(), defaulted)).allowed).toBe(true);
    const shadowed = structuredClone(good);
    shadowed.spec.initContainers[0].volumeMounts.push({
      name: 'modelseal-tmp',
      mountPath: '/etc/modelseal/policy.yaml',
      subPath: 'lax.yaml',
    });
    expect(await denial({}, shadowed)).toBe(
      'modelseal: pod-shape: init container modelseal mounts other volumes than the webhook gives it',
    );
    const command = structuredClone(good);
    command.spec.initContainers[0].command = ['/bin/sh', '-c', 'true'];
    expect(await denial({}, command)).toBe(
      'modelseal: pod-shape: init container modelseal overrides its command or environment',
    );
    const other = structuredClone(good);
    other.metadata.annotations['modelseal.dev/model'] = `${proxy.host}/models/other:v1`;
    expect(await denial({}, other)).toMatch(
      /^modelseal: pod-shape: the init container pulls .* but the Pod names /,
    );
  }, 60_000);

  it('audit mode admits a denied model with a warning', async () => {
    const res = await validate(await webhook({ mode: 'audit', sbom: {} }), good);
    expect(res.allowed).toBe(true);
    expect(res.warnings).toEqual([
      expect.stringMatching(
        /^modelseal \(audit mode\): policy models denies .*: sbom\.signer: no verified attestation of this type$/,
      ),
    ]);
  }, 60_000);
});

describe('admission webhook: bounded, cached, robust', () => {
  it('a registry that never answers: refused with TIMEOUT within the review timeout', async () => {
    const url = await webhook();
    const started = Date.now();
    // The API server's 10 s (the default timeoutSeconds): the webhook gives up 1 s early (a tenth of
    // the budget, at most 1 s) so its answer is there in time. A 10 s review leaves the full 1 s
    // between the webhook's deadline and the API server's, where a 3 s one left 300 ms, too little on
    // a loaded machine; the silent registry never answers, so only the deadline can end the wait.
    const res = await post(
      `${url}/mutate?timeout=10s`,
      JSON.stringify(review(`${stall.host}/models/slow:v1`)),
    );
    const took = Date.now() - started;
    expect(res.body.response.allowed).toBe(false);
    expect(res.body.response.status.message).toMatch(
      /^modelseal: TIMEOUT: resolving .* took longer than the review allows/,
    );
    expect(took).toBeGreaterThan(8900);
    expect(took).toBeLessThan(10_000);
    const pod = structuredClone(await mutated(url, review(ref)));
    pod.metadata.annotations['modelseal.dev/model'] = `${stall.host}/models/slow:v1`;
    pod.spec.initContainers[0].args[1] = `${stall.host}/models/slow@${digest}`;
    const v = await validate(url, pod, '?timeout=2s');
    expect(v.allowed).toBe(false);
    expect(v.status.message).toMatch(/^modelseal: TIMEOUT: evaluating the policy on .* took longer/);
  }, 60_000);

  it('200 concurrent reviews of one digest cost the registry reads of one', async () => {
    const url = await webhook();
    const pod = await mutated(url, review(ref));
    const one = await webhook();
    let before = proxy.log.length;
    expect((await validate(one, pod)).allowed).toBe(true);
    const single = proxy.log.slice(before).map((e) => `${e.method} ${e.path}`);
    expect(single.length).toBeGreaterThan(0);
    expect(single.some((l) => l.includes('/blobs/'))).toBe(true);

    const fresh = await webhook({ resolveTtlMs: 120_000 });
    before = proxy.log.length;
    const all = await Promise.all(Array.from({ length: 200 }, () => validate(fresh, pod)));
    expect(all.every((r) => r.allowed === true)).toBe(true);
    expect(proxy.log.slice(before).map((e) => `${e.method} ${e.path}`)).toEqual(single);
    // and the verdict stays cached: no read at all for the next one
    before = proxy.log.length;
    expect((await validate(fresh, pod)).allowed).toBe(true);
    expect(proxy.log.length).toBe(before);

    // 200 mutations of one tag within resolveTtlMs: one resolution, one digest for the whole rollout
    before = proxy.log.length;
    await Promise.all(Array.from({ length: 200 }, () => mutated(fresh, review(ref))));
    expect(proxy.log.slice(before).map((e) => `${e.method} ${e.path}`)).toEqual([
      `GET /v2/models/sentiment/manifests/v3`,
    ]);
  }, 120_000);

  it('malformed reviews get a clear 400 and the server keeps serving', async () => {
    const url = await webhook();
    const cases: [string | Buffer, RegExp][] = [
      ['not json', /the body is not JSON$/],
      ['[1,2]', /the body is not a JSON object$/],
      [
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }),
        /apiVersion\/kind is admission\.k8s\.io\/v1beta1\/AdmissionReview$/,
      ],
      [JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /request is missing$/],
      [
        JSON.stringify({ ...review(ref), request: { ...review(ref).request, uid: '' } }),
        /request\.uid is missing$/,
      ],
      ['['.repeat(100_000), /nests arrays or objects more than 64 deep$/],
      [Buffer.alloc(4 * 1024 * 1024, 0x20), /the body is over 3145728 bytes$/],
    ];
    for (const [body, why] of cases) {
      const res = await post(`${url}/validate`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_REVIEW');
      expect(res.body.error.message).toMatch(/^not an admission\.k8s\.io\/v1 AdmissionReview: /);
      expect(res.body.error.message).toMatch(why);
    }
    expect((await post(`${url}/nope`, '{}')).status).toBe(404);
    const health = await new Promise<number>((resolve) =>
      request(`${url}/healthz`, { ca: pki.ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end(),
    );
    expect(health).toBe(200);
  }, 60_000);
});

describe('modelseal admission serve (CLI)', () => {
  it('serves over HTTPS, prints one JSON line per review, and stops on SIGTERM with exit 0', async () => {
    const f = (n: string) => path.join(tmp, n);
    writeFileSync(f('policy.yaml'), keyPolicyYaml({ name: 'models', publicKeyPem: PUB }));
    writeFileSync(f('tls.crt'), pki.cert);
    writeFileSync(f('tls.key'), pki.key);
    const child = spawn(process.execPath, [
      BIN,
      'admission',
      'serve',
      '--tls-cert',
      f('tls.crt'),
      '--tls-key',
      f('tls.key'),
      '--policy',
      f('policy.yaml'),
      '--image',
      IMAGE,
      '--listen',
      '127.0.0.1:0',
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const port = await new Promise<number>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /on https:\/\/127\.0\.0\.1:(\d+) \(policy models, enforce mode\)\n/.exec(stderr);
        if (m) resolve(Number(m[1]));
      }),
    );
    const url = `https://127.0.0.1:${port}`;
    const res = await post(`${url}/mutate`, JSON.stringify(review(ref)));
    expect(res.body.response.allowed).toBe(true);
    const bad = await post(`${url}/validate`, 'nope');
    expect(bad.status).toBe(400);
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(lines).toEqual([
      expect.objectContaining({
        endpoint: 'mutate',
        uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
        namespace: 'inference',
        status: 200,
        allowed: true,
      }),
      expect.objectContaining({
        endpoint: 'validate',
        status: 400,
        message: 'not an admission.k8s.io/v1 AdmissionReview: the body is not JSON',
      }),
    ]);
  }, 60_000);
});
