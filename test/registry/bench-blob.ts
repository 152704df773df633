// Measures a large blob push + pull through RegistryTarget against a local docker-registry:
// MiB/s each way and the process's peak RSS (memory must stay flat as blobs grow).
// Run: node --import tsx test/registry/bench-blob.ts [MiB]   (default 512)

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RegistryTarget } from '../../packages/core/src/oci/registry/registry-target.js';
import { verifyingStream } from '../../packages/core/src/oci/registry/verifying-stream.js';
import { startRegistry } from './harness.js';

const mib = Number(process.argv[2] ?? 512);
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
    if (!out.write(block)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return `sha256:${hash.digest('hex')}`;
}

const rssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

const digest = await writeSource();
const desc = { mediaType: 'application/vnd.cncf.model.weight.v1.raw', digest, size: statSync(src).size };
const reg = await startRegistry({ auth: 'none' });
const target = new RegistryTarget({ registry: reg.host, repository: 'bench/blob', credentials: {} });
try {
  const rssBefore = rssMiB();
  let t0 = performance.now();
  await target.push(desc, { kind: 'stream', open: () => createReadStream(src, { highWaterMark: 1024 * 1024 }) });
  const pushS = (performance.now() - t0) / 1000;
  const rssAfterPush = rssMiB();
  t0 = performance.now();
  await pipeline(verifyingStream(await target.fetch(desc), desc), createWriteStream(dst));
  const pullS = (performance.now() - t0) / 1000;
  if (statSync(dst).size !== desc.size) throw new Error('pulled size differs');
  console.log(
    JSON.stringify({
      blobMiB: mib,
      pushSeconds: +pushS.toFixed(2),
      pushMiBps: +(mib / pushS).toFixed(1),
      pullSeconds: +pullS.toFixed(2),
      pullMiBps: +(mib / pullS).toFixed(1),
      peakRssMiB: { beforeTransfer: rssBefore, afterPush: rssAfterPush, afterPull: rssMiB() },
    }),
  );
} finally {
  target.close();
  await reg.close();
  rmSync(dir, { recursive: true, force: true });
}
