import { afterEach, describe, it, expect, vi } from 'vitest';
import { ModelsealError } from '../../errors.js';
import {
  backoffDelay,
  isNetworkError,
  mayRetry,
  isRetryableStatus,
  parseRetryAfter,
  retryPolicy,
} from './retry-policy.js';

describe('retry policy', () => {
  afterEach(() => vi.restoreAllMocks());

  it('classifies statuses and network errors; modelseal errors are never network errors', () => {
    expect([429, 500, 502, 503, 504, 408].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 501].some(isRetryableStatus)).toBe(false);
    expect(isNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isNetworkError(new Error('socket hang up'))).toBe(true);
    expect(isNetworkError(new Error('bad json'))).toBe(false);
    expect(isNetworkError(new ModelsealError('DIGEST_MISMATCH', 'premature close'))).toBe(false);
  });
  it('parses Retry-After seconds and dates, capped at 60 s', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('3600')).toBe(60_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
  it('backs off with full jitter under an exponential cap', () => {
    const p = retryPolicy({ minDelayMs: 100, maxDelayMs: 1000 });
    expect(p.retries).toBe(4);
    for (let i = 0; i < 50; i++) {
      expect(backoffDelay(p, 0)).toBeLessThan(100);
      expect(backoffDelay(p, 3)).toBeLessThan(800);
      expect(backoffDelay(p, 10)).toBeLessThan(1000);
    }
  });

  it('waits random * min(maxDelay, minDelay * 2^attempt), never a fixed zero', () => {
    const p = retryPolicy({ minDelayMs: 100, maxDelayMs: 1000 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(p, a))).toEqual([50, 100, 200, 400, 500, 500]);
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    expect([0, 1, 3, 10].map((a) => backoffDelay(p, a))).toEqual([99, 199, 799, 999]);
    expect(backoffDelay(retryPolicy(undefined), 0)).toBe(199); // default minimum 200 ms
    expect(backoffDelay(retryPolicy(undefined), 9)).toBe(9990); // default cap 10 s
  });

  it('stops retrying after the count or the total time, whichever comes first', () => {
    const p = retryPolicy({ retries: 3, maxElapsedMs: 1000 });
    const now = Date.now();
    expect(mayRetry(p, 0, now)).toBe(true);
    expect(mayRetry(p, 2, now)).toBe(true);
    expect(mayRetry(p, 3, now)).toBe(false);
    expect(mayRetry(p, 0, now - 1001)).toBe(false);
    expect(retryPolicy(undefined).maxElapsedMs).toBe(300_000);
  });
});
