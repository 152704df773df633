// docs/training.md: its shell blocks run in test/docs/every-doc.test.ts (the "try it" block for
// real, the Python checkpoint writer standing in for a training job); here the Python examples
// (torch, safetensors and transformers are not on the CI machines) are compiled, and the file layout
// they write is the one the checkpoint writer writes in the try-it block; the Kubernetes Job is parsed and checked field by field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './cli-process.js';

const doc = readFileSync(path.join(REPO, 'docs/training.md'), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-training-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The fenced blocks that follow a `<!-- test: NAME -->` comment. */
function blocks(name: string): string[] {
  const re = new RegExp(`<!-- test: ${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...doc.matchAll(re)].map((m) => m[1]);
}

describe('docs/training.md', () => {
  it.each(blocks('python').map((code, i) => [i, code] as const))('python example %i compiles', (i, code) => {
    const file = path.join(tmp, `example-${i}.py`);
    writeFileSync(file, code);
    const r = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the Kubernetes Job shares the process namespace and runs the sidecar as the trainer user', () => {
    const [yamlText] = blocks('k8s-job');
    const job = parse(yamlText) as {
      kind: string;
      spec: {
        template: {
          spec: {
            shareProcessNamespace: boolean;
            restartPolicy: string;
            securityContext: { runAsUser: number };
            containers: {
              name: string;
              args?: string[];
              volumeMounts: { name: string; mountPath: string }[];
            }[];
          };
        };
      };
    };
    expect(job.kind).toBe('Job');
    const pod = job.spec.template.spec;
    expect(pod.shareProcessNamespace).toBe(true);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext.runAsUser).toBe(65532);
    const [trainer, signer] = pod.containers;
    expect(trainer.name).toBe('trainer');
    expect(signer.args).toEqual([
      'sign',
      '/ckpt',
      '--key',
      '/keys/signing.key',
      '--follow',
      '--until-file',
      'COMPLETE',
      '--json',
    ]);
    const mount = (c: (typeof pod.containers)[number]) =>
      c.volumeMounts.find((m) => m.name === 'ckpt')?.mountPath;
    expect(mount(trainer)).toBe('/ckpt');
    expect(mount(signer)).toBe('/ckpt');
  });
});
