import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

describe('KeyedLock', () => {
  it('runs holders of one key one at a time, in order, even after a failure; other keys do not wait', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const a = lock.run('k', step('a', 20, true));
    const b = lock.run('k', step('b', 1));
    const other = lock.run('j', step('x', 1));
    await expect(a).rejects.toThrow('a failed');
    expect(await b).toBe('b');
    expect(await other).toBe('x');
    expect(log).toEqual(['a+', 'x+', 'x-', 'a-', 'b+', 'b-']);
  });
});
