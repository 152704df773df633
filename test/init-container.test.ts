// The init-container entrypoint run the way the pod runs it (test/pod-sandbox.ts): uid/gid 65532,
// no capabilities, no_new_privs, a read-only root, a fresh tmpfs for DEST's parent and $TMPDIR,
// registry credentials from a mounted Docker config, against the real docker-registry.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { runInPod, type PodRun } from './pod-sandbox.js';
import { cyclonedx, provenance, type ProvenanceFacts } from './policy/signed-evidence.js';
import { attest, keySigner } from '../packages/core/src/index.js';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import { BIN, REPO as repo, SAMPLE } from './signed-model.js';
import { keysPolicyYaml } from './policy/key-policy.js';
import { sign } from '../packages/core/src/sign/sign.js';

let registry: RunningRegistry;
let dockerConfig: string;
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-init-'));
const trainer = newKeyPair();
const stranger = newKeyPair();
/** The trainer's public key as a file, for `watch DEST --key` and `verify DEST --key`. */
const keyFile = path.join(tmp, 'trainer.pub');
writeFileSync(keyFile, publicKeyPem(trainer.publicKey));

const POLICY = keysPolicyYaml(
  'sentiment-prod',
  { trainer: trainer.publicKey },
  `    signatures:
      oms: {signedBy: [trainer]}
    provenance:
      signedBy: [trainer]
      builders: [{idRegExp: 'https://github\\.com/acme/ml-platform/.*', maxLevel: 3}]
    sbom:
      signedBy: [trainer]
      licenses: {deny: [AGPL-3.0-only, CC-BY-NC-4.0]}
    weights: {scan: clean}
`,
);

interface Publish {
  signer?: typeof trainer | null;
  prov?: ProvenanceFacts;
  bom?: Parameters<typeof cyclonedx>[0];
  hostilePickle?: boolean;
}

/** Push a model signed (OMS, as a referrer) and attested (provenance + SBOM referrers about the manifest digest). */
async function publish(name: string, o: Publish = {}): Promise<{ ref: string; digest: string }> {
  const dir = path.join(tmp, name);
  cpSync(SAMPLE, dir, { recursive: true });
  writeFileSync(path.join(dir, 'id.txt'), `model ${name}\n`); // a layer no other test shares
  if (o.hostilePickle) {
    // Made by python3's pickle.dumps, never loaded: an object whose __reduce__ calls os.system.
    const py =
      'import os, pickle, sys\nclass E:\n    def __reduce__(self):\n        return (os.system, ("id",))\nsys.stdout.buffer.write(pickle.dumps(E(), protocol=2))';
    writeFileSync(path.join(dir, 'model.pkl'), spawnSync('python3', ['-c', py]).stdout);
  }
  const ref = `${registry.host}/models/${name}:v1`;
  const signer = o.signer === undefined ? trainer : o.signer;
  const digest = push(ref, dir);
  const credentials = { username: registry.username ?? '', password: registry.password ?? '' };
  // sign REF / attest REF as the library does them: referrers on the manifest, no layer read
  if (signer) await sign(ref, { signer: keySigner({ privateKey: signer.privateKey }), credentials });
  const attestRef = async (predicateType: string, predicate: unknown) => {
    await attest(ref, {
      signer: keySigner({ privateKey: trainer.privateKey }),
      predicateType,
      predicate,
      credentials,
    });
  };
  await attestRef('https://slsa.dev/provenance/v1', provenance(o.prov));
  await attestRef('https://cyclonedx.org/bom', cyclonedx(o.bom));
  return { ref, digest };
}

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input });

function push(ref: string, dir = SAMPLE): string {
  const r = cli(
    ['push', dir, ref, '--username', registry.username ?? '', '--password-stdin', '--json'],
    registry.password,
  );
  if (r.status !== 0) throw new Error(`push failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { digest: string }).digest;
}

/** The pod's view: the entrypoint with DEST under the emptyDir and the Docker config mounted read-only. */
const pullInPod = (ref: string, ...extra: string[]): PodRun =>
  runInPod([process.execPath, BIN, 'pull', ref, '$POD/models/model', ...extra], {
    readOnlyFiles: { 'config.json': dockerConfig },
    env: { DOCKER_CONFIG: '$POD/ro' },
  });

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function expectSandboxHeld(run: PodRun) {
  // uid 65532 could write nowhere but the tmpfs: the root and /dev/shm are read-only, the copy-out dir is root's.
  expect(run.probes).toEqual([
    expect.stringMatching(/^PROBE touch: cannot touch '\/\/\.modelseal-probe': Read-only file system$/),
    expect.stringMatching(
      /^PROBE touch: cannot touch '\/dev\/shm\/\.modelseal-probe': Read-only file system$/,
    ),
    expect.stringMatching(/^PROBE touch: cannot touch '.*\/\.modelseal-probe': Read-only file system$/),
    expect.stringMatching(/^PROBE touch: cannot touch '.*\/out\/\.modelseal-probe': Permission denied$/),
  ]);
}

beforeAll(async () => {
  if (!existsSync(BIN)) {
    spawnSync('pnpm', ['-r', 'run', 'build'], { cwd: repo });
  }
  registry = await startRegistry({ auth: 'htpasswd' });
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  dockerConfig = JSON.stringify({ auths: { [registry.host]: { auth } } });
});
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const pullWithPolicy = (ref: string): PodRun =>
  runInPod(
    [
      process.execPath,
      BIN,
      'pull',
      ref,
      '$POD/models/model',
      '--policy',
      '$POD/ro/policy.yaml',
      '--result',
      '$POD/models/result.json',
    ],
    {
      readOnlyFiles: { 'config.json': dockerConfig, 'policy.yaml': POLICY },
      env: { DOCKER_CONFIG: '$POD/ro' },
    },
  );

/**
 * Overwrite this model's own layer (id.txt; the others are shared with other tests) in the
 * registry's storage with other bytes of the same size: a pull that fetched and checked it would
 * fail with DIGEST_MISMATCH, so a policy error code proves the decision came before the download.
 */
function corruptOwnLayer(digest: string): void {
  const blob = (hex: string) =>
    path.join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const manifest = JSON.parse(readFileSync(blob(digest.slice(7)), 'utf8')) as {
    layers: { digest: string; size: number; annotations?: Record<string, string> }[];
  };
  const own = manifest.layers.find((l) => l.annotations?.['org.cncf.model.filepath'] === 'id.txt');
  if (!own) throw new Error('no id.txt layer');
  writeFileSync(blob(own.digest.slice(7)), Buffer.alloc(own.size, 0x42));
}

describe('init container: modelseal pull --policy in a hardened pod sandbox', () => {
  it('a signed, attested, clean model lands, and its result JSON says so', async () => {
    const { ref, digest } = await publish('allowed');
    const run = pullWithPolicy(ref);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${ref}@${digest}\n`);
    expectSandboxHeld(run);
    expect(readdirSync(path.join(run.outDir, 'models')).sort()).toEqual(['model', 'result.json']);
    const result = JSON.parse(readFileSync(path.join(run.outDir, 'models/result.json'), 'utf8'));
    // the verdict and what landed, on stderr (stdout stays the pinned reference for scripts)
    const dest = path.join(run.outDir, 'models/model');
    const hint = createHash('sha256').update(publicKeyPem(trainer.publicKey)).digest('hex');
    const files = (readdirSync(dest, { recursive: true }) as string[]).filter(
      (f) => f !== 'model.sig' && statSync(path.join(dest, f)).isFile(),
    ).length;
    expect(run.stderr).toMatch(
      new RegExp(
        `^policy sentiment-prod \\(${result.policy.digest}\\): allowed\npulled ${files} files \\([0-9.]+ (B|KiB), [a-z-]+\\) into \\S+/models/model with model\\.sig, signed by key ${hint}\n$`,
      ),
    );
    // the OMS signature the policy bound is in DEST: watch DEST --key works without --ref
    expect(readdirSync(dest)).toContain('model.sig');
    const watched = spawnSync(process.execPath, [BIN, 'watch', dest, '--key', keyFile, '--once'], {
      encoding: 'utf8',
    });
    expect(watched.stderr).toBe('');
    expect(watched.status).toBe(0);
    const verified = spawnSync(process.execPath, [BIN, 'verify', dest, '--key', keyFile], {
      encoding: 'utf8',
    });
    expect(verified.status, verified.stderr).toBe(0);
    expect(result).toMatchObject({
      allowed: true,
      enforced: true,
      slsaBuildLevel: 3,
      policy: { name: 'sentiment-prod' },
    });
    expect(result.checks.map((c: { name: string; passed: boolean }) => `${c.name}:${c.passed}`)).toEqual([
      'signatures.oms:true',
      'provenance.signer:true',
      'provenance.builder:true',
      'sbom.signer:true',
      'sbom.licenses:true',
      'weights.scan:true',
    ]);
  });

  const denied = async (name: string, o: Publish, code: string, message: RegExp, beforeFetch: boolean) => {
    const { ref, digest } = await publish(name, o);
    if (beforeFetch) corruptOwnLayer(digest);
    const run = pullWithPolicy(ref);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^modelseal: error\\[${code}\\]: policy sentiment-prod: ${message.source}\n$`),
    );
    expectSandboxHeld(run);
    // DEST absent, nothing staged left; the result JSON next to it says why.
    expect(readdirSync(path.join(run.outDir, 'models'))).toEqual(['result.json']);
    const result = JSON.parse(readFileSync(path.join(run.outDir, 'models/result.json'), 'utf8'));
    expect(result.allowed).toBe(false);
    expect(result.checks.find((c: { passed: boolean }) => !c.passed).code).toBe(code);
  };

  it('an unsigned model: SIGNATURE_MISSING before any weight byte is fetched', () =>
    denied(
      'unsigned',
      { signer: null },
      'SIGNATURE_MISSING',
      /signatures\.oms: no verified OMS signature/,
      true,
    ));

  it('a model signed by a key the policy does not name: WRONG_KEY, before fetching', () =>
    denied(
      'wrong-identity',
      { signer: stranger },
      'WRONG_KEY',
      /signatures\.oms: .*signed by a different key.*/,
      true,
    ));

  it('a provenance from a builder the policy does not allow: PROVENANCE_REJECTED, before fetching', () =>
    denied(
      'bad-builder',
      { prov: { builderId: 'https://evil.example/builder' } },
      'PROVENANCE_REJECTED',
      /provenance\.builder: builder "https:\/\/evil\.example\/builder" is not one of .*/,
      true,
    ));

  it('an SBOM licence on the deny-list: LICENSE_DENIED, before fetching', () =>
    denied(
      'agpl',
      { bom: { modelLicenses: [{ license: { id: 'AGPL-3.0-only' } }] } },
      'LICENSE_DENIED',
      /sbom\.licenses: sentiment \(machine-learning-model\): "AGPL-3\.0-only" needs AGPL-3\.0-only, which the policy denies/,
      true,
    ));

  it('a layer that fails its digest after the policy passed: DIGEST_MISMATCH, DEST absent, the result says why', async () => {
    const { ref, digest } = await publish('corrupt-layer');
    corruptOwnLayer(digest);
    const run = pullWithPolicy(ref);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^modelseal: error\[DIGEST_MISMATCH\]: .*\n$/);
    expectSandboxHeld(run);
    expect(readdirSync(path.join(run.outDir, 'models'))).toEqual(['result.json']);
    const result = JSON.parse(readFileSync(path.join(run.outDir, 'models/result.json'), 'utf8'));
    expect(result.allowed).toBe(false);
    // the weight checks never ran (the pull failed first): 'not evaluated', not failed (issue 19)
    const failed = result.checks.filter(
      (c: { passed: boolean; status?: string }) => !c.passed && c.status !== 'not evaluated',
    );
    expect(failed).toHaveLength(1);
    expect(result.checks.filter((c: { status?: string }) => c.status === 'not evaluated').length).toBe(1);
    expect(failed[0]).toMatchObject({ name: 'pull.artifact', code: 'DIGEST_MISMATCH' });
    expect(run.stderr).toContain(failed[0].reason);
  });

  it('a pickle that imports os.system: SCAN_FAILED after the verified download, DEST absent', () =>
    denied('pickle', { hostilePickle: true }, 'SCAN_FAILED', /weights\.scan: .*model\.pkl.*system.*/, false));
});

describe('init container: modelseal pull in a hardened pod sandbox', () => {
  it('a good model lands in DEST with every file intact', () => {
    const digest = push(`${registry.host}/models/good:v1`);
    const run = pullInPod(`${registry.host}/models/good:v1`);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${registry.host}/models/good:v1@${digest}\n`);
    expectSandboxHeld(run);
    const dest = path.join(run.outDir, 'models/model');
    const files = (dir: string) =>
      (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => statSync(path.join(dir, f)).isFile())
        .sort();
    expect(files(dest)).toEqual(files(SAMPLE));
    expect(files(dest).length).toBeGreaterThan(4);
    for (const f of files(SAMPLE)) expect(sha256(path.join(dest, f)), f).toBe(sha256(path.join(SAMPLE, f)));
    expect(statSync(dest).uid).toBe(65532);
    expect(readdirSync(path.join(run.outDir, 'models'))).toEqual(['model']);
  });

  it('a tampered layer: exit 1, DIGEST_MISMATCH, DEST absent and nothing staged left', () => {
    const dir = path.join(tmp, 'tampered');
    cpSync(SAMPLE, dir, { recursive: true });
    writeFileSync(path.join(dir, 'id.txt'), 'model tampered\n');
    const digest = push(`${registry.host}/models/tampered:v1`, dir);
    corruptOwnLayer(digest); // other bytes of the same size, in the registry's storage
    const run = pullInPod(`${registry.host}/models/tampered:v1`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^modelseal: error\[DIGEST_MISMATCH\]: .*\n$/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expectSandboxHeld(run);
    expect(readdirSync(path.join(run.outDir, 'models'))).toEqual([]);
  });
});
