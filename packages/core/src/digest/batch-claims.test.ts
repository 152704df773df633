import { describe, expect, it } from 'vitest';
import { BatchClaims } from './batch-claims.js';

describe('BatchClaims', () => {
  it('hands out every batch exactly once: front from the start, back from the end, until they meet', () => {
    for (const count of [1, 2, 5, 10]) {
      for (let split = 0; split <= count; split++) {
        const shared = BatchClaims.allocate(count);
        const worker = new BatchClaims(shared, count);
        const main = new BatchClaims(shared, count);
        const front: number[] = [];
        const back: number[] = [];
        // the back takes `split` batches first, then both alternate
        for (let k = 0; k < split; k++) back.push(main.fromBack());
        for (;;) {
          const f = worker.front();
          const b = main.fromBack();
          if (f >= 0) front.push(f);
          if (b >= 0) back.push(b);
          if (f < 0 && b < 0) break;
        }
        const all = [...front, ...back.filter((b) => b >= 0)].sort((x, y) => x - y);
        expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
        expect(front).toEqual([...front].sort((x, y) => x - y));
        expect(worker.front()).toBe(-1);
        expect(main.fromBack()).toBe(-1);
      }
    }
  });

  it('stops every claimer after abort', () => {
    const shared = BatchClaims.allocate(4);
    const a = new BatchClaims(shared, 4);
    const b = new BatchClaims(shared, 4);
    expect(a.front()).toBe(0);
    b.abort();
    expect(a.front()).toBe(-1);
    expect(b.fromBack()).toBe(-1);
  });
});
