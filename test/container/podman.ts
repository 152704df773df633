// podman for the container tests (scripts/container-e2e.sh sets MODELSEAL_CONTAINER_IMAGE, CONTAINERS_CONF
// and CONTAINERS_STORAGE_CONF): every call under `timeout`, every container and pod the tests create
// removed by ID, and the test registry served inside a network namespace with no route out (only
// loopback), which the modelseal containers join: they reach the registry and nothing else.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningRegistry } from '../registry/harness.js';

/** The image under test (built by scripts/container-e2e.sh); the tests skip without it. */
export const IMAGE = process.env.MODELSEAL_CONTAINER_IMAGE ?? '';

export interface Podman {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `timeout SECONDS podman ARGS...`; never throws (the caller asserts the status). */
export function podman(args: string[], timeoutSeconds = 180, input?: string): Podman {
  const r = spawnSync('timeout', [String(timeoutSeconds), 'podman', ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** podman ARGS that must succeed: its trimmed stdout. Throws with stderr otherwise. */
export function podmanOk(args: string[], timeoutSeconds = 180): string {
  const r = podman(args, timeoutSeconds);
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/** IDs of what the tests created, removed by ID in reverse order. */
export class Created {
  private readonly containers: string[] = [];
  private readonly pods: string[] = [];
  container(id: string): string {
    this.containers.push(id);
    return id;
  }
  pod(id: string): string {
    this.pods.push(id);
    return id;
  }
  removeAll(): void {
    for (const id of this.pods.reverse()) podman(['pod', 'rm', '-f', '-t', '0', id], 60);
    for (const id of this.containers.reverse()) podman(['rm', '-f', '-t', '0', id], 60);
  }
}

/** A directory uid/gid 65532 owns (a volume the container writes into). */
export function volumeDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chownSync(dir, 65532, 65532);
  chmodSync(dir, 0o755);
  return dir;
}

export interface RegistryNetwork {
  /** The registry container's ID: `--network container:ID` joins its network namespace. */
  id: string;
  /** Its network namespace as a path (`--network ns:PATH`, what `kube play` takes). */
  netns: string;
}

/**
 * Serve `registry`'s storage (read-only) from a container with `--network none`, at the same
 * address (127.0.0.1:PORT inside that namespace), so references and credentials stay the same. The
 * registry binary is the host's docker-registry, run in the image under test (it needs only libc).
 */
export function serveRegistryInNamespace(registry: RunningRegistry, created: Created): RegistryNetwork {
  const config = readFileSync(registry.configPath, 'utf8');
  const dir = path.dirname(registry.configPath);
  const id = created.container(
    podmanOk([
      'run',
      '-d',
      '--network',
      'none',
      '--user',
      '0:0',
      '--read-only',
      '--volume',
      `${dir}:${dir}:ro`,
      '--volume',
      '/usr/bin/docker-registry:/usr/bin/docker-registry:ro',
      '--entrypoint',
      '/usr/bin/docker-registry',
      IMAGE,
      'serve',
      registry.configPath,
    ]),
  );
  if (!/addr: 127\.0\.0\.1:\d+/.test(config)) throw new Error('registry config without a loopback addr');
  // wait until it listens: a probe in its namespace (node in the image, no curl)
  const probe = `const h=require('http');const go=(n)=>h.get('${registry.url}/v2/',r=>process.exit(0)).on('error',()=>n>0?setTimeout(()=>go(n-1),200):process.exit(1));go(75)`;
  podmanOk(['run', '--rm', '--network', `container:${id}`, '--entrypoint', 'node', IMAGE, '-e', probe]);
  const pid = podmanOk(['inspect', '--format', '{{.State.Pid}}', id]);
  return { id, netns: `/proc/${pid}/ns/net` };
}

/** Write `text` to a file of its own, readable by all (mounted read-only into containers). */
export function readOnlyFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}
