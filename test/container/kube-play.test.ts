// `podman kube play` of the shipped deploy/kubernetes/deployment.yaml and watch-sidecar.yaml, each
// turned into a Pod by test/container/kube-pod.ts (the image and reference substituted, the inference
// server a shell script in the modelseal image), against the real test registry. A good model reaches
// the inference container read-only; a tampered one stops the init container with exit 1 and leaves
// the inference container Created, the model volume without a model.
// podman 4.3 pods cannot join another network namespace ("pods presently do not support network mode
// path"), so the generated pods use hostNetwork to reach the test registry on 127.0.0.1; the hardened
// run (hardened-run.test.ts) is the one with no route out. Needs the image: scripts/container-e2e.sh.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { publicKeyPem } from '../../packages/core/src/keys.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';
import { podFromDeployment } from './kube-pod.js';
import { IMAGE, podman, podmanOk, readOnlyFile } from './podman.js';
import { BIN, dockerConfig, POLICY, publish, tamperOwnLayer, trainer } from './published-models.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const K8S = path.join(repo, 'deploy/kubernetes');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-kube-play-'));
let authRegistry: RunningRegistry;
let openRegistry: RunningRegistry;
const plays: string[] = [];
/** The named volumes the two manifests' pods make: emptyDirs by volume name, configMaps by map name. */
const VOLUMES = ['models', 'tmp', 'modelseal-policy', 'model-trust'];

/** What the inference container runs: its uid, the model's id.txt, and whether the model is writable. */
const INFERENCE = [
  'while read -r k v; do case $k in Uid:) set -- $v; echo "uid $1";; esac; done < /proc/self/status',
  'cat /models/model/id.txt',
  '(: > /models/model/probe) 2>/dev/null && echo "model writable" || echo "model read-only"',
].join('; ');

function configMap(name: string, data: Record<string, string>): string {
  return stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
}

interface Play {
  status: number | null;
  stderr: string;
  /** Each container of the pod by name: its state (podman's words) and exit code. */
  containers: Record<string, { state: string; exitCode: number }>;
  /** Each container's output (stdout and stderr), by name. */
  logs: Record<string, string>;
  /** Files in the pod's model volume (emptyDir `models`), relative to it. */
  volume: string[];
  /** The volume's directory on the host. */
  volumeDir: string;
}

/** Play `podYaml` with `configMaps`, wait for the pod's containers to settle, and read the outcome. */
function play(name: string, podYaml: string, configMaps: string, settled: (p: Play) => boolean): Play {
  // emptyDir and configMap volumes are named volumes in podman 4.3, reused as they are by a later play
  // (a stale policy, a model already there): none may be left from an earlier one
  for (const v of VOLUMES) expect(podman(['volume', 'exists', v]).status, v).toBe(1);
  const podFile = readOnlyFile(tmp, `${name}.yaml`, podYaml);
  const cmFile = readOnlyFile(tmp, `${name}-configmaps.yaml`, configMaps);
  plays.push(podFile);
  const r = podman(['kube', 'play', '--configmap', cmFile, podFile], 300);
  const read = (withLogs = false): Play => {
    const ids = podmanOk(['ps', '-a', '--filter', `pod=${name}`, '--format', '{{.ID}}']).split('\n');
    const containers: Play['containers'] = {};
    const logs: Play['logs'] = {};
    for (const id of ids.filter((i) => i !== '')) {
      const [cname, state, code] = podmanOk([
        'inspect',
        '--format',
        '{{.Name}} {{.State.Status}} {{.State.ExitCode}}',
        id,
      ]).split(' ');
      if (cname.endsWith('-infra')) continue;
      containers[cname.slice(name.length + 1)] = { state, exitCode: Number(code) };
      if (!withLogs) continue;
      const out = podman(['logs', id]);
      logs[cname.slice(name.length + 1)] = out.stdout + out.stderr;
    }
    const volumeDir = podmanOk(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'models']);
    const volume = existsSync(volumeDir)
      ? readdirSync(volumeDir, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => path.relative(volumeDir, path.join(d.parentPath, d.name)))
          .sort()
      : [];
    return { status: r.status, stderr: r.stderr, containers, logs, volume, volumeDir };
  };
  const deadline = Date.now() + 120_000;
  let seen = read();
  while (!settled(seen) && Date.now() < deadline) {
    spawnSync('sleep', ['0.5']);
    seen = read();
  }
  return read(true);
}

function down(podFile: string): void {
  podman(['kube', 'play', '--down', podFile], 120);
  podman(['volume', 'rm', '-f', ...VOLUMES], 60);
}

describe.skipIf(IMAGE === '')('podman kube play of the shipped manifests', () => {
  beforeAll(async () => {
    authRegistry = await startRegistry({ auth: 'htpasswd' });
    openRegistry = await startRegistry({ auth: 'none' });
  });
  afterEach(() => {
    const last = plays.pop();
    if (last) down(last);
  });
  afterAll(async () => {
    await authRegistry?.close();
    await openRegistry?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('deployment.yaml: the verifying init container, the model read-only in the inference container', () => {
    const secretDir = path.join(tmp, 'registry-secret');
    const pod = (name: string, ref: string) =>
      podFromDeployment(readFileSync(path.join(K8S, 'deployment.yaml'), 'utf8'), {
        name,
        image: IMAGE,
        ref,
        secretDirs: { 'registry-credentials': secretDir },
        inferenceScript: INFERENCE,
      });
    const policy = () => configMap('modelseal-policy', { 'policy.yaml': POLICY });

    it('a signed model: the init container exits 0, the inference container reads it and cannot write it', async () => {
      mkdirSync(secretDir, { mode: 0o755 });
      readOnlyFile(secretDir, 'config.json', dockerConfig(authRegistry));
      const good = await publish(authRegistry, tmp, 'kube-good');
      const p = play(
        'kube-good',
        pod('kube-good', good.ref),
        policy(),
        (s) => s.containers.inference?.state === 'exited',
      );
      expect(p.status, JSON.stringify(p.logs)).toBe(0);
      // podman removes an init container that succeeded: the inference container's start is the proof
      expect(p.containers).toEqual({ inference: { state: 'exited', exitCode: 0 } });
      expect(p.logs.inference).toBe('uid 65532\nmodel kube-good\nmodel read-only\n');
      expect(p.volume).toContain('result.json');
      expect(p.volume).toContain('model/id.txt');
      expect(p.volume).toContain('model/model.sig');
      const result = JSON.parse(readFileSync(path.join(p.volumeDir, 'result.json'), 'utf8'));
      expect(result).toMatchObject({ allowed: true, policy: { name: 'sentiment-prod' } });
    });

    it('a tampered layer: the init container exits 1, the inference container stays Created, no model in the volume', async () => {
      const bad = await publish(authRegistry, tmp, 'kube-tampered');
      tamperOwnLayer(authRegistry, bad.digest);
      const p = play(
        'kube-bad',
        pod('kube-bad', bad.ref),
        policy(),
        (s) => s.containers.modelseal?.state === 'exited',
      );
      expect(p.status).toBe(125);
      expect(p.stderr).toMatch(/init container [0-9a-f]{64} exited with code 1/);
      expect(p.containers).toEqual({
        modelseal: { state: 'exited', exitCode: 1 },
        inference: { state: 'created', exitCode: 0 },
      });
      expect(p.logs.modelseal).toMatch(/^modelseal: error\[DIGEST_MISMATCH\]: /);
      expect(p.volume).toEqual(['result.json']);
    });
  });

  describe('watch-sidecar.yaml: pull, verify and scan init containers, the watch sidecar', () => {
    const pod = (name: string, ref: string) =>
      podFromDeployment(readFileSync(path.join(K8S, 'watch-sidecar.yaml'), 'utf8'), {
        name,
        image: IMAGE,
        ref,
        secretDirs: {},
        inferenceScript: INFERENCE,
      });
    let trust = '';

    it('a signed model: three init containers pass, the server reads it read-only, the sidecar watches', async () => {
      const good = await publish(openRegistry, tmp, 'watch-good');
      const keyFile = path.join(tmp, 'trainer.pem');
      writeFileSync(keyFile, trainer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      const sigFile = path.join(tmp, 'watch-good.sig');
      const signed = spawnSync(
        process.execPath,
        [BIN, 'sign', good.dir, '--key', keyFile, '--signature', sigFile],
        { encoding: 'utf8' },
      );
      expect(signed.status, signed.stderr).toBe(0);
      trust = configMap('model-trust', {
        'model.pub': publicKeyPem(trainer.publicKey),
        'model.sig': readFileSync(sigFile, 'utf8'),
      });
      const p = play(
        'watch-good',
        pod('watch-good', good.ref),
        trust,
        (s) => s.containers['inference-server']?.state === 'exited',
      );
      expect(p.status, JSON.stringify(p.logs)).toBe(0);
      expect(p.containers).toEqual({
        'inference-server': { state: 'exited', exitCode: 0 },
        'modelseal-watch': { state: 'running', exitCode: 0 },
      });
      expect(p.logs['inference-server']).toBe('uid 65532\nmodel watch-good\nmodel read-only\n');
      expect(p.volume).toContain('model/id.txt');
    });

    it('a tampered layer: the pull init container exits 1, nothing else starts, the volume stays empty', async () => {
      const bad = await publish(openRegistry, tmp, 'watch-tampered');
      tamperOwnLayer(openRegistry, bad.digest);
      const p = play(
        'watch-bad',
        pod('watch-bad', bad.ref),
        trust,
        (s) => s.containers.pull?.state === 'exited',
      );
      expect(p.status).toBe(125);
      expect(p.containers).toEqual({
        pull: { state: 'exited', exitCode: 1 },
        verify: { state: 'created', exitCode: 0 },
        scan: { state: 'created', exitCode: 0 },
        'inference-server': { state: 'created', exitCode: 0 },
        'modelseal-watch': { state: 'created', exitCode: 0 },
      });
      expect(p.logs.pull).toMatch(/^modelseal: error\[DIGEST_MISMATCH\]: /);
      expect(p.volume).toEqual([]);
    });
  });
});
