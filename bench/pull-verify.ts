// The `pull --verify` case of `pnpm bench:oci`: sign the pushed artifact (key, OMS + cosign referrers,
// no layer read), then time `pull --verify --key` and a plain `pull` of the same artifact back to
// back, in alternating order, so the ratio compares like with like (target <= 1.05x: the signature
// check adds no second pass over the bytes).
import { rmSync } from 'node:fs';
import path from 'node:path';

interface Run {
  ms: number;
  peakKiB?: number;
}
type Timed = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => Promise<Run>;

/** Signs `ref` with the fixture key, then times a verified and a plain pull of it (order by `run`). */
export async function pullVerifyCase(
  timed: Timed,
  bin: string,
  repo: string,
  ref: string,
  work: string,
  env: NodeJS.ProcessEnv,
  run: number,
): Promise<{ verified: Run; plain: Run }> {
  const key = path.join(repo, 'fixtures/keys');
  await timed('node', [bin, 'sign', ref, '--key', path.join(key, 'test.key')], {
    ...env,
    COSIGN_PASSWORD: 'modelseal-test',
  });
  const pull = async (verify: boolean): Promise<Run> => {
    const dest = path.join(work, `pv-${verify ? 'verified' : 'plain'}-${run}`);
    try {
      const args = ['pull', ref, dest, ...(verify ? ['--verify', '--key', path.join(key, 'test.pub')] : [])];
      return await timed('node', [bin, ...args], env);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  };
  if (run % 2 === 0) {
    const verified = await pull(true);
    return { verified, plain: await pull(false) };
  }
  const plain = await pull(false);
  return { verified: await pull(true), plain };
}
