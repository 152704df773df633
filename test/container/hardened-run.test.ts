// The init-container image run exactly as the shipped manifests run it, by podman: uid/gid 65532, a
// read-only root, no capabilities, no_new_privs, a tmpfs /tmp, DEST's parent a volume, the policy and
// the registry credentials mounted read-only, in a network namespace where only the test registry is
// reachable. Needs the image: run by scripts/container-e2e.sh (`pnpm test:container`); skipped otherwise.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';
import {
  Created,
  IMAGE,
  podman,
  readOnlyFile,
  serveRegistryInNamespace,
  volumeDir,
  type RegistryNetwork,
} from './podman.js';
import { dockerConfig, POLICY, publish, stranger, tamperOwnLayer } from './published-models.js';

let registry: RunningRegistry;
let network: RegistryNetwork;
const created = new Created();
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-container-run-'));
const volumes: string[] = [];
let policyFile: string;
let configDir: string;

/** The securityContext of deploy/kubernetes/deployment.yaml, as podman flags. */
const HARDENED = [
  '--user',
  '65532:65532',
  '--read-only',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
  '--tmpfs',
  '/tmp:rw,size=64m',
];

function runInit(args: string[], entrypoint?: string) {
  const models = volumeDir('ms-models-');
  volumes.push(models);
  const r = podman([
    'run',
    '--rm',
    ...HARDENED,
    '--network',
    `container:${network.id}`,
    '--volume',
    `${models}:/models`,
    '--volume',
    `${policyFile}:/etc/modelseal/policy.yaml:ro`,
    '--volume',
    `${configDir}:/var/run/secrets/modelseal/registry:ro`,
    '--env',
    'DOCKER_CONFIG=/var/run/secrets/modelseal/registry',
    '--env',
    'TMPDIR=/tmp',
    ...(entrypoint ? ['--entrypoint', entrypoint] : []),
    IMAGE,
    ...args,
  ]);
  return { ...r, models };
}

const pullArgs = (ref: string) => [
  'pull',
  ref,
  '/models/model',
  '--policy',
  '/etc/modelseal/policy.yaml',
  '--result',
  '/models/result.json',
];

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();

describe.skipIf(IMAGE === '')('the init image under podman, hardened as the manifests run it', () => {
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    policyFile = readOnlyFile(tmp, 'policy.yaml', POLICY);
    configDir = path.join(tmp, 'registry-secret');
    mkdirSync(configDir, { mode: 0o755 });
    readOnlyFile(configDir, 'config.json', dockerConfig(registry));
  });
  afterAll(async () => {
    created.removeAll();
    await registry?.close();
    for (const v of volumes) rmSync(v, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a signed model lands in the volume with result.json; a wrong key, an AGPL SBOM and a tampered layer each exit 1 with DEST absent', async () => {
    const good = await publish(registry, tmp, 'good');
    const bad = await publish(registry, tmp, 'agpl', { license: 'AGPL-3.0-only' });
    const wrongKey = await publish(registry, tmp, 'stranger', { signer: stranger });
    const tampered = await publish(registry, tmp, 'tampered');
    tamperOwnLayer(registry, tampered.digest);
    network = serveRegistryInNamespace(registry, created);

    const run = runInit(pullArgs(good.ref));
    expect(run.stderr).toMatch(/^policy sentiment-prod \(sha256:[0-9a-f]{64}\): allowed\npulled \d+ files/);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${good.ref}@${good.digest}\n`);
    expect(readdirSync(run.models).sort()).toEqual(['model', 'result.json']);
    expect(files(path.join(run.models, 'model'))).toEqual([...files(good.dir), 'model.sig'].sort());
    for (const f of files(good.dir))
      expect(readFileSync(path.join(run.models, 'model', f)), f).toEqual(
        readFileSync(path.join(good.dir, f)),
      );
    const result = JSON.parse(readFileSync(path.join(run.models, 'result.json'), 'utf8'));
    expect(result).toMatchObject({ allowed: true, enforced: true, policy: { name: 'sentiment-prod' } });
    expect(result.checks.map((c: { name: string; passed: boolean }) => `${c.name}:${c.passed}`)).toEqual([
      'signatures.oms:true',
      'sbom.signer:true',
      'sbom.licenses:true',
    ]);

    // each refusal: exit 1, its own code, DEST absent (only result.json in the volume)
    const refusals: [typeof good, string][] = [
      [wrongKey, 'WRONG_KEY'],
      [bad, 'LICENSE_DENIED'],
      [tampered, 'DIGEST_MISMATCH'],
    ];
    for (const [model, code] of refusals) {
      const r = runInit(pullArgs(model.ref));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^modelseal: error\\[${code}\\]: .*\n$`));
      expect(readdirSync(r.models), code).toEqual(['result.json']);
      expect(JSON.parse(readFileSync(path.join(r.models, 'result.json'), 'utf8')).allowed).toBe(false);
    }
  });

  it('inside: uid 65532, CapEff 0, NoNewPrivs 1, the root read-only, only loopback', () => {
    // the image has sh and cat, no coreutils: the probe uses shell builtins only
    const probe = [
      'while read -r k v; do case $k in Uid:|Gid:|CapPrm:|CapEff:|CapBnd:|NoNewPrivs:) set -- $v; echo "$k $*";; esac; done < /proc/self/status',
      '(: > /probe) 2>/dev/null && echo "root writable" || echo "root read-only"',
      '(: > /tmp/probe) && echo "tmp writable"',
      '{ read -r _; read -r _; while IFS=: read -r dev _; do echo $dev; done; } < /proc/net/dev',
    ].join('; ');
    const r = runInit(['-c', probe], '/bin/sh');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'Uid: 65532 65532 65532 65532',
        'Gid: 65532 65532 65532 65532',
        'CapPrm: 0000000000000000',
        'CapEff: 0000000000000000',
        'CapBnd: 0000000000000000',
        'NoNewPrivs: 1',
        'root read-only',
        'tmp writable',
        'lo',
        '',
      ].join('\n'),
    );
  });
});
