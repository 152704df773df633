// The init-container entrypoint run the way the pod runs it (test/pod-sandbox.ts): uid/gid 65532,
// no capabilities, no_new_privs, a read-only root, a fresh tmpfs for DEST's parent and $TMPDIR,
// registry credentials from a mounted Docker config, against the real docker-registry.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { runInPod, type PodRun } from './pod-sandbox.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const SAMPLE = path.join(repo, 'fixtures/models/sample-model');

let registry: RunningRegistry;
let dockerConfig: string;

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input });

function push(ref: string): string {
  const r = cli(
    ['push', SAMPLE, ref, '--username', registry.username ?? '', '--password-stdin', '--json'],
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
    const digest = push(`${registry.host}/models/tampered:v1`);
    // Overwrite one layer blob in the registry's storage with other bytes of the same size.
    const manifest = JSON.parse(
      readFileSync(
        path.join(
          registry.storageDir,
          'docker/registry/v2/blobs/sha256',
          digest.slice(7, 9),
          digest.slice(7),
          'data',
        ),
        'utf8',
      ),
    ) as { layers: { digest: string; size: number }[] };
    const layer = manifest.layers.find((l) => l.size > 0);
    if (!layer) throw new Error('no non-empty layer');
    const hex = layer.digest.slice(7);
    writeFileSync(
      path.join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'),
      Buffer.alloc(layer.size, 0x41),
    );
    const run = pullInPod(`${registry.host}/models/tampered:v1`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^modelseal: error\[DIGEST_MISMATCH\]: .*\n$/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expectSandboxHeld(run);
    expect(readdirSync(path.join(run.outDir, 'models'))).toEqual([]);
  });
});
