import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelsealError } from '../errors.js';
import { startHashWorker, WarmWorkers } from './warm-workers.js';
import { runHashItems } from './worker-pool.js';

const exitOf = (w: Worker): Promise<number> => new Promise((resolve) => w.once('exit', resolve));
/** A thread that is running when handed out and ends (exit code 7) on its first message. */
const exitsOnJob = (): Worker =>
  new Worker("require('node:worker_threads').parentPort.once('message', () => process.exit(7));", {
    eval: true,
  });
/** A thread that throws at boot: 'error', then 'exit'. */
const crashesAtBoot = (): Worker => new Worker("throw new Error('boot failure');", { eval: true });

const tmp = mkdtempSync(join(tmpdir(), 'ms-warm-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const bytes = Buffer.alloc(3 * 1024 * 1024 + 5, 0x5a);
const file = join(tmp, 'w.bin');
writeFileSync(file, bytes);
const items = [{ path: file, name: 'w.bin', start: 0, end: bytes.length, alg: 'sha256' as const }];
const SHA256 = createHash('sha256').update(bytes).digest('hex');

describe('WarmWorkers', () => {
  it('starts nothing until start(), then hands out each started worker once', async () => {
    const started: Worker[] = [];
    const warm = new WarmWorkers(2, () => {
      const w = startHashWorker();
      started.push(w);
      return w;
    });
    expect(warm.take()).toBeUndefined();
    expect(started).toHaveLength(0);
    warm.start();
    warm.start(); // only once
    expect(started).toHaveLength(2);
    const a = warm.take();
    const b = warm.take();
    expect([a, b]).toEqual(started);
    expect(a).not.toBe(b);
    expect(warm.take()).toBeUndefined();
    await Promise.all([a!.terminate(), b!.terminate()]);
    await warm.dispose();
  });

  it('dispose terminates every worker nobody took (their threads are gone when it resolves), and hands out none after', async () => {
    const started: Worker[] = [];
    const warm = new WarmWorkers(3, () => {
      const w = startHashWorker();
      started.push(w);
      return w;
    });
    warm.start();
    const taken = warm.take()!;
    expect(taken).toBe(started[0]);
    const exits = started.slice(1).map(exitOf);
    await warm.dispose();
    expect(started.slice(1).map((w) => w.threadId)).toEqual([-1, -1]);
    expect(await Promise.all(exits)).toHaveLength(2);
    expect(taken.threadId).toBeGreaterThan(0); // the taken one is the taker's business
    expect(warm.take()).toBeUndefined();
    await taken.terminate();
  });

  it('a worker that died before it was taken is never handed out', async () => {
    const dead = crashesAtBoot();
    const exited = new Promise<number>((resolve) => dead.once('exit', resolve));
    const live = exitsOnJob();
    const order = [dead, live];
    const warm = new WarmWorkers(2, () => order.shift()!);
    warm.start();
    expect(await exited).toBe(1);
    expect(warm.take()).toBe(live);
    expect(warm.take()).toBeUndefined();
    await live.terminate();
    await warm.dispose();
  });
});

describe('runHashItems with warm workers', () => {
  it('skips a warm worker that crashed and hashes with a fresh one', async () => {
    const dead = crashesAtBoot();
    const exited = exitOf(dead);
    const warm = new WarmWorkers(1, () => dead);
    warm.start();
    await exited;
    const out = await runHashItems(items, { jobs: 1, inlineMaxBytes: 0, warm });
    expect(out.hex(0)).toBe(SHA256);
  });

  it('a worker that dies mid-job fails the job with UNREADABLE, and the job is never reported done', async () => {
    const dying = exitsOnJob();
    const warm = new WarmWorkers(1, () => dying);
    warm.start();
    const err = await runHashItems(items, { jobs: 1, inlineMaxBytes: 0, warm }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelsealError);
    expect(err).toMatchObject({ code: 'UNREADABLE', message: 'hashing worker exited early (code 7)' });
    expect(dying.threadId).toBe(-1);
  });

  it('a worker that throws mid-job fails the job with UNREADABLE naming the error, and is terminated', async () => {
    const throwing = new Worker(
      "require('node:worker_threads').parentPort.once('message', () => { throw new Error('disk on fire'); });",
      { eval: true },
    );
    const warm = new WarmWorkers(1, () => throwing);
    warm.start();
    const exited = exitOf(throwing);
    await expect(runHashItems(items, { jobs: 1, inlineMaxBytes: 0, warm })).rejects.toMatchObject({
      code: 'UNREADABLE',
      message: 'hashing worker failed: disk on fire',
    });
    expect(await exited).toBe(1);
  });
});
