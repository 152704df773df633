// `pnpm bench:oci`: time `modelseal push` / `modelseal pull` (the built CLI, child processes) against
// `skopeo copy` of the same 2 GiB ModelPack artifact (4 x 512 MiB random weights) on a local
// docker-registry, and report modelseal's peak RSS. Each run uses a fresh registry and a fresh skopeo
// HOME (no blob-info cache), so no blob is skipped or cross-mounted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../test/registry/harness.js';
import { ensureSet } from './bench-data.js';
import { pullVerifyCase } from './pull-verify.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const TIME = '/usr/bin/time';
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const MiB = 1024 * 1024;

interface Run {
  ms: number;
  peakKiB?: number;
}

/** Run a command (stdout discarded); resolve with wall time and peak RSS (GNU time -v). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const useTime = existsSync(TIME);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(useTime ? TIME : cmd, useTime ? ['-v', cmd, ...args] : args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0)
        return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ ms, ...(m ? { peakKiB: Number(m[1]) } : {}) });
    });
  });
}

const fmt = (r: Run): string =>
  `${(r.ms / 1000).toFixed(2)} s${r.peakKiB ? `, peak RSS ${(r.peakKiB / 1024).toFixed(0)} MiB` : ''}`;
const best = (runs: Run[]): Run => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`build first: ${BIN} is missing (pnpm bench:oci builds it)`);
  const files = Array.from({ length: 4 }, (_, i) => ({
    name: `model-0000${i + 1}-of-00004.safetensors`,
    size: 512 * MiB,
  }));
  const set = ensureSet('oci-4x512MiB', files);
  const work = mkdtempSync(path.join(tmpdir(), 'modelseal-bench-oci-'));
  const skopeoFlags = ['--insecure-policy'];
  try {
    const layout = path.join(work, 'layout');
    await timed('node', [BIN, 'push', set.dir, `oci:${layout}:v1`]);
    process.stderr.write(
      `model ${set.dir} (2 GiB) packed into ${layout}; ${RUNS} runs, each on a fresh registry\n`,
    );

    const push = { modelseal: [] as Run[], skopeo: [] as Run[] };
    const pull = { modelseal: [] as Run[], skopeo: [] as Run[] };
    const pullVerify = { verified: [] as Run[], plain: [] as Run[] };
    for (let i = 0; i < RUNS; i++) {
      const registry = await startRegistry({ auth: 'none' });
      const home = mkdtempSync(path.join(work, 'home-'));
      const env = {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: path.join(home, 'data'),
        XDG_CACHE_HOME: path.join(home, 'cache'),
      };
      try {
        const id = randomBytes(4).toString('hex');
        const msRepo = `${registry.host}/bench/ms-${id}:v1`;
        const skRepo = `${registry.host}/bench/skopeo-${id}:v1`;
        push.modelseal.push(await timed('node', [BIN, 'push', set.dir, msRepo], env));
        push.skopeo.push(
          await timed(
            'skopeo',
            [
              ...skopeoFlags,
              'copy',
              '--quiet',
              '--dest-tls-verify=false',
              `oci:${layout}:v1`,
              `docker://${skRepo}`,
            ],
            env,
          ),
        );
        const msDest = path.join(work, `pulled-${id}`);
        const skDest = path.join(work, `skopeo-${id}`);
        pull.modelseal.push(await timed('node', [BIN, 'pull', msRepo, msDest], env));
        pull.skopeo.push(
          await timed(
            'skopeo',
            [
              ...skopeoFlags,
              'copy',
              '--quiet',
              '--src-tls-verify=false',
              `docker://${msRepo}`,
              `oci:${skDest}:v1`,
            ],
            env,
          ),
        );
        rmSync(msDest, { recursive: true, force: true });
        rmSync(skDest, { recursive: true, force: true });
        const pv = await pullVerifyCase(timed, BIN, repo, msRepo, work, env, i);
        pullVerify.verified.push(pv.verified);
        pullVerify.plain.push(pv.plain);
      } finally {
        await registry.close();
        rmSync(home, { recursive: true, force: true });
      }
      process.stderr.write(
        `run ${i + 1}: push ${fmt(push.modelseal[i])} vs skopeo ${fmt(push.skopeo[i])}; pull ${fmt(pull.modelseal[i])} vs skopeo ${fmt(pull.skopeo[i])}\n`,
      );
    }
    const bp = { ms: best(push.modelseal), sk: best(push.skopeo) };
    const bl = { ms: best(pull.modelseal), sk: best(pull.skopeo) };
    const peak = (runs: Run[]): string =>
      `${(Math.max(...runs.map((r) => r.peakKiB ?? 0)) / 1024).toFixed(0)} MiB`;
    const lines = [
      `push 2 GiB: modelseal ${fmt(bp.ms)} | skopeo copy oci:->docker:// ${fmt(bp.sk)} | ratio ${(bp.ms.ms / bp.sk.ms).toFixed(2)}x (target: keep <= 0.6x)`,
      `pull 2 GiB: modelseal (verified, atomic) ${fmt(bl.ms)} | skopeo copy docker://->oci: ${fmt(bl.sk)} | ratio ${(bl.ms.ms / bl.sk.ms).toFixed(2)}x (target <= 0.8x)`,
      `pull --verify 2 GiB: ${fmt(best(pullVerify.verified))} | plain pull of the same signed artifact ${fmt(best(pullVerify.plain))} | ratio ${(best(pullVerify.verified).ms / best(pullVerify.plain).ms).toFixed(2)}x (target <= 1.05x)`,
      `modelseal peak RSS over all runs: push ${peak(push.modelseal)}, pull ${peak(pull.modelseal)} (target <= 64 MiB); skopeo push ${peak(push.skopeo)}, pull ${peak(pull.skopeo)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
