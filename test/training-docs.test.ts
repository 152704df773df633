// docs/training.md runs: the "try it" shell block runs for real (modelseal on PATH, the Python
// checkpoint writer standing in for a training job) and its signature verifies with the root of
// `hash`; the Python examples (torch, safetensors and transformers are not on the CI machines) are
// compiled, and the file layout they write is the one the checkpoint writer writes in the try-it
// block; the Kubernetes Job is parsed and checked field by field.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI_BIN, REPO } from './cli-process.js';

const doc = readFileSync(path.join(REPO, 'docs/training.md'), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-training-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The fenced blocks that follow a `<!-- test: NAME -->` comment. */
function blocks(name: string): string[] {
  const re = new RegExp(`<!-- test: ${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...doc.matchAll(re)].map((m) => m[1]);
}

describe('docs/training.md', () => {
  it('the try-it block runs: sign --follow signs the checkpoint the writer leaves, verify passes', () => {
    const [script] = blocks('try-it');
    expect(script).toContain('--follow --until-file COMPLETE');
    const bin = path.join(tmp, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(path.join(bin, 'modelseal'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
    chmodSync(path.join(bin, 'modelseal'), 0o755);
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp },
    });
    expect(r.stderr).toMatch(/^hashed model-00001-of-00004\.safetensors \(8000120 bytes\)$/m);
    expect(r.stderr).toMatch(/ on until-file, \d files hashed at signing -> /);
    expect(r.status, r.stderr).toBe(0);
    const root = (JSON.parse(r.stdout.slice(r.stdout.search(/^\{$/m))) as { root: string }).root;
    expect(r.stderr).toContain(`signed ckpt (sha256:${root},`);
  }, 120_000);

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
