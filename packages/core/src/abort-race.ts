// Await work that cannot itself be stopped (a signer talking to Fulcio, a browser sign-in) without
// waiting for it after an abort: the caller moves on at once and the late result is dropped.

/**
 * `work`, or `signal.reason` as soon as the signal aborts, whichever comes first. The work is not
 * stopped; its late result or failure is ignored.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
