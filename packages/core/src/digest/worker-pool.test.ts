import { describe, expect, it } from 'vitest';
import { planBatches } from './worker-pool.js';
import type { HashItem } from './hash-range.js';

const MiB = 1024 * 1024;
const item = (name: string, size: number): HashItem => ({
  path: `/m/${name}`,
  name,
  start: 0,
  end: size,
  alg: 'sha256',
});

describe('planBatches', () => {
  it('puts the largest items first, each big item alone', () => {
    const items = [item('small', 10), item('big1', 100 * MiB), item('mid', 5 * MiB), item('big2', 200 * MiB)];
    const batches = planBatches(items);
    expect(batches.map((b) => b.idx.map((i) => items[i].name))).toEqual([
      ['big2'],
      ['big1'],
      ['mid'],
      ['small'],
    ]);
    expect(batches.map((b) => b.bytes)).toEqual([200 * MiB, 100 * MiB, 5 * MiB, 10]);
  });

  it('groups small items: at most 128 items or about 4 MiB per batch', () => {
    const many = Array.from({ length: 300 }, (_, i) => item(`f${i}`, 4096));
    expect(planBatches(many).map((b) => b.idx.length)).toEqual([128, 128, 44]);
    const medium = Array.from({ length: 10 }, (_, i) => item(`m${i}`, 1.5 * MiB));
    expect(planBatches(medium).map((b) => b.idx.length)).toEqual([3, 3, 3, 1]);
  });

  it('covers every item exactly once', () => {
    const items = Array.from({ length: 1000 }, (_, i) => item(`x${i}`, (i * 7919) % 100_000));
    const seen = planBatches(items)
      .flatMap((b) => b.idx)
      .sort((a, b) => a - b);
    expect(seen).toEqual(items.map((_, i) => i));
  });
});
