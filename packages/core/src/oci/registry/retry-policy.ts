// When and how long to wait before retrying a registry request: exponential backoff with full
// jitter, `Retry-After` honoured, bounded attempts and bounded total time. Digest mismatches are
// never retryable.

import { isModelsealError } from '../../errors.js';

export interface RetryOptions {
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** no retry starts once this long has passed since the first attempt (default 5 min) */
  maxElapsedMs?: number;
}

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxElapsedMs: number;
}

export function retryPolicy(opts: RetryOptions | undefined): RetryPolicy {
  return {
    retries: opts?.retries ?? 4,
    minDelayMs: opts?.minDelayMs ?? 200,
    maxDelayMs: opts?.maxDelayMs ?? 10_000,
    maxElapsedMs: opts?.maxElapsedMs ?? 300_000,
  };
}

/** True when attempt `attempt` (0-based) may be followed by another one, given when the first began. */
export function mayRetry(policy: RetryPolicy, attempt: number, startedAt: number): boolean {
  return attempt < policy.retries && Date.now() - startedAt < policy.maxElapsedMs;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENOTFOUND_TEMP',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** True for transport failures worth another attempt (connection reset/refused, hang up, premature close). */
export function isNetworkError(err: unknown): boolean {
  if (isModelsealError(err)) return false;
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && NETWORK_CODES.has(code)) return true;
  return /socket hang up|premature close|aborted|ECONNRESET/i.test(err.message);
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** Delay for attempt n (0-based): full jitter over min(max, min * 2^n). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * cap);
}

/** `Retry-After` in ms (seconds or HTTP date), capped at 60 s; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, 60_000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), 60_000);
}

/** Wait `ms`; with a signal, reject with its reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
