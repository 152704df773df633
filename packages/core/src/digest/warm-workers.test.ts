import { describe, expect, it } from 'vitest';
import { WarmWorkers } from './warm-workers.js';

describe('WarmWorkers', () => {
  it('starts nothing until start(), then hands out each started worker once', async () => {
    const warm = new WarmWorkers(2);
    expect(warm.take()).toBeUndefined();
    warm.start();
    warm.start(); // only once
    const a = warm.take();
    const b = warm.take();
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
    expect(warm.take()).toBeUndefined();
    await Promise.all([a!.terminate(), b!.terminate()]);
    await warm.dispose();
  });

  it('dispose terminates the workers nobody took, and a dead worker is never handed out', async () => {
    const warm = new WarmWorkers(2);
    warm.start();
    const a = warm.take()!;
    const exited = new Promise<number>((resolve) => a.once('exit', resolve));
    await a.terminate();
    await exited;
    await warm.dispose();
    expect(warm.take()).toBeUndefined();
  });
});
