// Measures a large blob push + pull through RegistryTarget against a local docker-registry:
// MiB/s each way and the process's peak RSS (memory must stay flat as blobs grow).
// Run: node --import tsx test/registry/bench-blob.ts [MiB] [--chunked]   (default 512 MiB, monolithic PUT)

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RegistryTarget } from '../../packages/core/src/oci/registry/registry-target.js';
import { verifyingStream } from '../../packages/core/src/oci/verifying-stream.js';
import { startRegistry } from './harness.js';

const mib = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 512);
const chunked = process.argv.includes('--chunked');
const dir = mkdtempSync(join(tmpdir(), 'modelseal-bench-'));
const src = join(dir, 'blob.bin');
const dst = join(dir, 'pulled.bin');

async function writeSource(): Promise<string> {
  const block = Buffer.alloc(1024 * 1024);
  const hash = createHash('sha256');
  const out = createWriteStream(src);
  for (let i = 0; i < mib; i++) {
    block.writeUInt32LE(i, 0);
    for (let j = 4; j < block.length; j += 4096) block.writeUInt32LE((i * 7919 + j) >>> 0, j);
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return `sha256:${hash.digest('hex')}`;
}

const run = promisify(execFile);

/** The same push + pull with curl (POST, one streamed PUT -T of the file, GET to a file; no digest check): a baseline for the ratio. */
async function curlBaseline(host: string, blobDigest: string): Promise<{ pushS: number; pullS: number }> {
  let t0 = performance.now();
  const { stdout } = await run('curl', [
    '-s',
    '-i',
    '-X',
    'POST',
    `http://${host}/v2/bench/curl/blobs/uploads/`,
  ]);
  const location = /^location: (\S+)/im.exec(stdout)?.[1];
  if (!location) throw new Error('no upload location from curl POST');
  const url = new URL(location);
  url.searchParams.set('digest', blobDigest);
  await run(
    'curl',
    ['-s', '-f', '-X', 'PUT', '-H', 'content-type: application/octet-stream', '-T', src, url.toString()],
    { maxBuffer: 1 << 20 },
  );
  const pushS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await run('curl', [
    '-s',
    '-f',
    '-o',
    join(dir, 'curl.bin'),
    `http://${host}/v2/bench/curl/blobs/${blobDigest}`,
  ]);
  return { pushS, pullS: (performance.now() - t0) / 1000 };
}

const rssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

const digest = await writeSource();
const desc = { mediaType: 'application/vnd.cncf.model.weight.v1.raw', digest, size: statSync(src).size };
const reg = await startRegistry({ auth: 'none' });
const target = new RegistryTarget({
  registry: reg.host,
  repository: 'bench/blob',
  credentials: {},
  ...(chunked ? { chunkedThreshold: 0 } : {}),
});
try {
  const rssBefore = rssMiB();
  let t0 = performance.now();
  await target.push(desc, {
    kind: 'stream',
    open: () => createReadStream(src, { highWaterMark: 1024 * 1024 }),
  });
  const pushS = (performance.now() - t0) / 1000;
  const rssAfterPush = rssMiB();
  t0 = performance.now();
  await pipeline(verifyingStream(await target.fetch(desc), desc), createWriteStream(dst));
  const pullS = (performance.now() - t0) / 1000;
  if (statSync(dst).size !== desc.size) throw new Error('pulled size differs');
  const rssAfterPull = rssMiB();
  const curl = await curlBaseline(reg.host, digest);
  console.log(
    JSON.stringify({
      blobMiB: mib,
      upload: chunked ? 'chunked 4 MiB PATCH' : 'monolithic PUT',
      pushSeconds: +pushS.toFixed(2),
      pushMiBps: +(mib / pushS).toFixed(1),
      pullSeconds: +pullS.toFixed(2),
      pullMiBps: +(mib / pullS).toFixed(1),
      peakRssMiB: { beforeTransfer: rssBefore, afterPush: rssAfterPush, afterPull: rssAfterPull },
      curlPushMiBps: +(mib / curl.pushS).toFixed(1),
      curlPullMiBps: +(mib / curl.pullS).toFixed(1),
    }),
  );
} finally {
  target.close();
  await reg.close();
  rmSync(dir, { recursive: true, force: true });
}
