// deploy/kubernetes/watch-sidecar.yaml parsed and checked field by field: the sidecar runs `watch`
// with flags the CLI really has, every long-running container mounts the model read-only under a
// restricted securityContext, and the pod matches the Falco rules (label and model mount).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parse } = createRequire(path.join(repo, 'packages/core/package.json'))('yaml') as {
  parse: (text: string) => unknown;
};
type Container = {
  name: string;
  args: string[];
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: { exec: { command: string[] } };
  resources?: { limits: Record<string, string> };
};
const deployment = parse(readFileSync(path.join(repo, 'deploy/kubernetes/watch-sidecar.yaml'), 'utf8')) as {
  kind: string;
  spec: {
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        securityContext: Record<string, unknown>;
        initContainers: Container[];
        containers: Container[];
      };
    };
  };
};
const pod = deployment.spec.template;

function help(command: string): string {
  const r = spawnSync(process.execPath, [path.join(repo, 'packages/cli/dist/bin.js'), command, '--help'], {
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('deploy/kubernetes/watch-sidecar.yaml', () => {
  it('a Deployment labelled app: inference-server (what the Falco rules match), non-root', () => {
    expect(deployment.kind).toBe('Deployment');
    expect(pod.metadata.labels.app).toBe('inference-server');
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('init containers pull, verify and scan before anything serves the model', () => {
    expect(pod.spec.initContainers.map((c) => [c.name, c.args[0]])).toEqual([
      ['pull', 'pull'],
      ['verify', 'verify'],
      ['scan', 'scan'],
    ]);
    expect(pod.spec.initContainers[1].args).toEqual([
      'verify',
      '/models/model',
      '--key',
      '/trust/model.pub',
      '--signature',
      '/trust/model.sig',
    ]);
  });

  it('the sidecar runs watch with flags the CLI has, and a readiness probe that fails on drift', () => {
    const sidecar = pod.spec.containers.find((c) => c.name === 'modelseal-watch')!;
    expect(sidecar.args.slice(0, 2)).toEqual(['watch', '/models/model']);
    const watchHelp = help('watch');
    for (const flag of sidecar.args.filter((a) => a.startsWith('--')))
      expect(watchHelp).toContain(`${flag} `);
    expect(sidecar.args[sidecar.args.indexOf('--exec') + 1]).toBe('cat > /tmp/drift.jsonl');
    expect(sidecar.readinessProbe!.exec.command.join(' ')).toContain("existsSync('/tmp/drift.jsonl')");
    expect(sidecar.resources!.limits).toEqual({ cpu: '500m', memory: '256Mi' });
  });

  it('every container is restricted and mounts /models read-only except the puller', () => {
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      const models = c.volumeMounts.find((m) => m.name === 'models')!;
      expect(models.mountPath).toBe('/models'); // the Falco rules' modelseal_model_paths
      expect(models.readOnly === true).toBe(c.name !== 'pull');
    }
  });
});
