// The error a promise must reject with, narrowed to an Error that carries a stable string `code`
// (ModelsealError and friends), so tests can assert on code and message with full types.
import { inspect } from 'node:util';

export type CodedError = Error & { code: string };

export function isCodedError(value: unknown): value is CodedError {
  return value instanceof Error && 'code' in value && typeof value.code === 'string';
}

/** Awaits `promise`, fails if it resolves or rejects with anything but a coded Error, else returns that error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<CodedError> {
  let resolved: unknown;
  try {
    resolved = await promise;
  } catch (err: unknown) {
    if (isCodedError(err)) return err;
    throw new Error(`expected a rejection with an Error carrying a string code, got ${inspect(err)}`, {
      cause: err,
    });
  }
  throw new Error(`expected a rejection, but the promise resolved to ${inspect(resolved, { depth: 2 })}`);
}
