import { describe, expect, it } from 'vitest';
import { JobView, packJob } from './hash-job.js';
import type { HashItem } from './hash-range.js';

describe('packJob / JobView', () => {
  it('rebuilds every item exactly (UTF-8 names, ranges past 4 GiB, optional size and stamp, each algorithm)', () => {
    const stamp = {
      dev: 2049,
      ino: 2 ** 40 + 3,
      size: 10,
      mtimeMs: 1764460000123.25,
      ctimeMs: 1764460000999.5,
    };
    const items: HashItem[] = [
      { path: '/m/a', name: 'a', start: 0, end: 10, alg: 'sha256', expectSize: 10, stamp },
      { path: '/m/\u00e9/\u{1F600}', name: '\u00e9/\u{1F600}', start: 5, end: 9, alg: 'blake3' },
      { path: '/m/big', name: 'big', start: 2 ** 33, end: 2 ** 33 + 7, alg: 'blake2b', expectSize: 2 ** 34 },
      { path: '/m/empty', name: 'empty', start: 0, end: 0, alg: 'sha256', expectSize: 0 },
    ];
    const view = new JobView(packJob(items, [[2], [0, 3], [1]]));
    expect(items.map((_, i) => view.item(i))).toEqual(items);
    expect(view.batchCount).toBe(3);
    expect([0, 1, 2].map((b) => [...view.batch(b)])).toEqual([[2], [0, 3], [1]]);
  });

  it('packs into shared memory only (nothing per item is cloned into a worker)', () => {
    const items: HashItem[] = Array.from({ length: 1000 }, (_, i) => ({
      path: `/m/f${i}`,
      name: `f${i}`,
      start: 0,
      end: i,
      alg: 'sha256',
    }));
    const job = packJob(
      items,
      items.map((_, i) => [i]),
    );
    for (const v of Object.values(job)) expect(v).toBeInstanceOf(SharedArrayBuffer);
    expect(new JobView(job).item(999)).toEqual(items[999]);
  });
});
