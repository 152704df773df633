import { describe, it, expect } from 'vitest';
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
