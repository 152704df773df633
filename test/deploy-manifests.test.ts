// The deploy/ examples are parsed and checked field by field, so that they cannot rot: hardened
// security contexts, the emptyDir hand-off, MIG, NetworkPolicies, the image-volume variant, the
// policy ConfigMap (which must be a valid policy) and the registry Secret, and the Dockerfile.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parsePolicy } from '../packages/core/src/policy/load-policy.js';
import { buildProgram } from '../packages/cli/src/program.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const K8S = path.join(repo, 'deploy/kubernetes');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: empty`);
  for (const d of docs) expect(d.errors, file).toEqual([]);
  return docs.map((d) => d.toJS() as Obj);
}

const HARDENED = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function checkPod(pod: Obj) {
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  for (const c of [...pod.initContainers, ...pod.containers]) {
    expect(c.securityContext, c.name).toEqual(HARDENED);
    expect(c.securityContext.capabilities.add, c.name).toBeUndefined();
  }
  for (const v of pod.volumes)
    expect(
      Object.keys(v).filter((k) => k !== 'name'),
      v.name,
    ).not.toContain('hostPath');
  const inference = pod.containers.find((c: Obj) => c.name === 'inference');
  expect(inference.resources.limits).toEqual({ 'nvidia.com/mig-3g.40gb': 1 });
  const volumes = new Map(pod.volumes.map((v: Obj) => [v.name, v]));
  const init = pod.initContainers[0];
  const env = Object.fromEntries(init.env.map((e: Obj) => [e.name, e.value]));
  const mountOf = (c: Obj, dir: string) => c.volumeMounts.find((m: Obj) => m.mountPath === dir);
  // TMPDIR is a writable emptyDir; registry credentials are the Secret, mounted read-only as config.json.
  expect(volumes.get(mountOf(init, env.TMPDIR).name)).toMatchObject({ emptyDir: {} });
  const creds = mountOf(init, env.DOCKER_CONFIG);
  expect(creds.readOnly).toBe(true);
  expect(volumes.get(creds.name)).toEqual({
    name: creds.name,
    secret: { secretName: 'modelseal-registry', items: [{ key: '.dockerconfigjson', path: 'config.json' }] },
  });
  const policyArg = init.args[init.args.indexOf('--policy') + 1];
  const policyMount = mountOf(init, path.dirname(policyArg));
  expect(policyMount.readOnly).toBe(true);
  expect(volumes.get(policyMount.name)).toEqual({
    name: policyMount.name,
    configMap: { name: 'modelseal-policy' },
  });
  return { init, inference, volumes, mountOf };
}

describe('deploy/kubernetes', () => {
  it('deployment.yaml: the init container pulls into an emptyDir the inference container mounts read-only', () => {
    const [d] = load('deployment.yaml');
    expect(d).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
    const pod = d.spec.template.spec;
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
    const { init, inference, volumes, mountOf } = checkPod(pod);
    expect(init.args.slice(0, 3)).toEqual([
      'pull',
      'registry.example.com/models/sentiment:v3',
      '/models/model',
    ]);
    // DEST's parent is the shared emptyDir; the init container writes there, the server only reads.
    const dest = init.args[2];
    const initModels = mountOf(init, path.dirname(dest));
    expect(initModels.readOnly).toBeUndefined();
    expect(volumes.get(initModels.name)).toEqual({ name: 'models', emptyDir: { sizeLimit: '40Gi' } });
    expect(mountOf(inference, path.dirname(dest))).toEqual({
      name: 'models',
      mountPath: '/models',
      readOnly: true,
    });
    expect(inference.args).toEqual(['--model', dest, '--port', '8000']);
    expect(path.dirname(init.args[init.args.indexOf('--result') + 1])).toBe(path.dirname(dest));
  });

  it('networkpolicies.yaml: ingress only from the gateway on the serving port; egress only to the registry and DNS', () => {
    const [d] = load('deployment.yaml');
    const labels = d.spec.template.metadata.labels;
    const port = d.spec.template.spec.containers[0].ports[0].containerPort;
    const [ingress, egress] = load('networkpolicies.yaml');
    for (const np of [ingress, egress]) {
      expect(np).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' });
      expect(np.spec.podSelector.matchLabels).toEqual(labels);
    }
    expect(ingress.spec.policyTypes).toEqual(['Ingress']);
    expect(ingress.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'api-gateway' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api-gateway' } },
          },
        ],
        ports: [{ protocol: 'TCP', port }],
      },
    ]);
    expect(egress.spec.policyTypes).toEqual(['Egress']);
    expect(egress.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.20.30.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('image-volume-deployment.yaml: the model volume is pinned by digest and the init container verifies that digest', () => {
    const [d] = load('image-volume-deployment.yaml');
    const pod = d.spec.template.spec;
    const { init, inference, volumes, mountOf } = checkPod(pod);
    const image = (volumes.get('model') as Obj).image;
    expect(image.reference).toMatch(/^registry\.example\.com\/models\/sentiment@sha256:[a-f0-9]{64}$/);
    expect(image.pullPolicy).toBe('IfNotPresent');
    expect(init.args.slice(0, 2)).toEqual(['verify', image.reference]);
    expect(mountOf(init, '/models/model')).toBeUndefined();
    expect(mountOf(inference, '/models/model')).toEqual({
      name: 'model',
      mountPath: '/models/model',
      readOnly: true,
    });
  });

  it('policy-configmap.yaml holds a valid enforcing policy; registry-secret.yaml is a Docker config', () => {
    const [cm] = load('policy-configmap.yaml');
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'modelseal-policy' } });
    expect(Object.keys(cm.data)).toEqual(['policy.yaml']);
    const policy = parsePolicy(cm.data['policy.yaml'], 'policy-configmap.yaml').policy;
    expect(policy.spec.mode).toBe('enforce');
    expect(Object.keys(policy.spec.require)).toEqual(['signatures', 'provenance', 'sbom', 'weights']);
    const [secret] = load('registry-secret.yaml');
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
    });
    const config = JSON.parse(secret.stringData['.dockerconfigjson']);
    expect(Object.keys(config.auths)).toEqual(['registry.example.com']);
  });
});

describe('deploy/kubernetes init-container args', () => {
  it('name a real command and only flags it has, with the arguments it takes', async () => {
    const program = await buildProgram();
    const pods = [load('deployment.yaml')[0], load('image-volume-deployment.yaml')[0]].map(
      (d) => d.spec.template.spec,
    );
    for (const pod of pods) {
      const args: string[] = pod.initContainers[0].args;
      const cmd = program.commands.find((c) => c.name() === args[0]);
      expect(cmd, args[0]).toBeDefined();
      const flags = args.filter((a) => a.startsWith('--'));
      const known = new Set(cmd?.options.map((o) => o.long));
      for (const f of flags) expect(known.has(f), `${args[0]} ${f}`).toBe(true);
      const positional = args
        .slice(1)
        .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
      expect(positional.length, args.join(' ')).toBe(cmd?.registeredArguments.length);
    }
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(path.join(repo, 'deploy/Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => l.trim());
  const stages = instructions.filter((l) => l.startsWith('FROM '));
  const final = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

  it('is multi-stage on a base the builder can pin (ARG BASE_IMAGE), the runtime on an empty base', () => {
    expect(instructions[0]).toBe('ARG BASE_IMAGE=node:24-bookworm-slim');
    expect(stages).toEqual(['FROM ${BASE_IMAGE} AS build', 'FROM ${BASE_IMAGE} AS runtime', 'FROM scratch']);
  });

  it('the final stage holds only the runtime files and the bundled CLI, runs as 65532 with modelseal as its entrypoint', () => {
    expect(final.filter((l) => l.startsWith('COPY '))).toEqual([
      'COPY --from=runtime /rootfs/ /',
      'COPY --from=build /opt/modelseal /opt/modelseal',
    ]);
    expect(final.some((l) => l.startsWith('RUN '))).toBe(false);
    expect(final.filter((l) => l.startsWith('USER '))).toEqual(['USER 65532:65532']);
    expect(final.indexOf('USER 65532:65532')).toBeLessThan(final.indexOf('ENTRYPOINT ["modelseal"]'));
    expect(final.at(-2)).toBe('ENTRYPOINT ["modelseal"]');
  });
});
