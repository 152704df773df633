// Runs a command the way a hardened pod runs its init container, with the kernel enforcing what
// the securityContext asks (no container runtime works on these machines):
//   - a private mount namespace (`unshare -m`) whose `/` and /dev/shm are remounted read-only
//     (readOnlyRootFilesystem), with a fresh tmpfs as the pod's writable area: DEST's parent
//     (the emptyDir) and $TMPDIR;
//   - uid/gid 65532, no supplementary groups, no capabilities (inheritable and bounding sets
//     cleared) and no_new_privs (`setpriv ... --no-new-privs`).
// Files the pod should see read-only (policy, Docker config) are copied in by root before the
// drop. After the command, root copies the tmpfs out to `outDir` (mounted read-write but
// root-only 0700), since the tmpfs disappears with the namespace.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const POD_UID = 65532;

export interface PodRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The pod's tmpfs as it was when the command ended (copied out by root). */
  outDir: string;
  /** What the probe writes as uid 65532 outside the tmpfs printed (must be read-only errors). */
  probes: string[];
}

export interface PodOptions {
  /** Files placed read-only (root-owned, 0644) in the pod under `<pod>/ro/` by name. */
  readOnlyFiles?: Record<string, string | Buffer>;
  env?: Record<string, string>;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run `argv` in the pod sandbox. `argv` may use `$POD` for the tmpfs root (e.g. `$POD/models/model`).
 * Needs root (for unshare -m and mount); fails with the shell's message otherwise.
 */
export function runInPod(argv: string[], opts: PodOptions = {}): PodRun {
  const work = mkdtempSync(path.join(tmpdir(), 'ms-pod-'));
  chmodSync(work, 0o755);
  const pod = path.join(work, 'pod');
  const outDir = path.join(work, 'out');
  const stage = path.join(work, 'stage');
  mkdirSync(pod);
  mkdirSync(outDir, { mode: 0o700 });
  mkdirSync(stage, { mode: 0o700 });
  for (const [name, content] of Object.entries(opts.readOnlyFiles ?? {}))
    writeFileSync(path.join(stage, name), content);
  const env = { PATH: '/usr/bin:/bin', TMPDIR: '$POD/tmp', HOME: '$POD/tmp', ...(opts.env ?? {}) };
  const envArgs = Object.entries(env).map(
    ([k, v]) => `${k}=${v.startsWith('$POD') ? `"${pod}${v.slice(4)}"` : q(v)}`,
  );
  const cmd = argv.map((a) => (a.startsWith('$POD') ? `"${pod}${a.slice(4)}"` : q(a))).join(' ');
  const drop = `setpriv --reuid ${POD_UID} --regid ${POD_UID} --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs`;
  const script = `
set -e
mount --bind ${q(outDir)} ${q(outDir)}
mount -o remount,bind,ro /
mount -o remount,bind,ro /dev/shm
mount -t tmpfs -o size=512m,mode=0755 tmpfs ${q(pod)}
mkdir -m 0755 ${q(pod)}/ro
cp ${q(stage)}/. ${q(pod)}/ro/ -R
chmod -R a+rX,go-w ${q(pod)}/ro
mkdir -m 0755 ${q(pod)}/models ${q(pod)}/tmp
chown ${POD_UID}:${POD_UID} ${q(pod)}/models ${q(pod)}/tmp
set +e
${drop} env -i ${envArgs.join(' ')} ${cmd}
rc=$?
for f in / /dev/shm ${q(work)} ${q(outDir)}; do
  ${drop} sh -c 'touch "$1/.modelseal-probe" 2>&1 || true' probe "$f" | sed 's/^/PROBE /' >&2
done
cp -a ${q(pod)}/. ${q(outDir)}/
exit $rc
`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {
    encoding: 'utf8',
  });
  const probes = r.stderr.split('\n').filter((l) => l.startsWith('PROBE '));
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !l.startsWith('PROBE '))
    .join('\n');
  return { status: r.status, stdout: r.stdout, stderr, outDir, probes };
}
