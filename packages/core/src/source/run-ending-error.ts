// Which errors met while reading or checking one piece of evidence end the whole run instead of
// failing that piece: the registry refused us (REGISTRY_AUTH), did not answer in time (TIMEOUT), or
// the caller aborted. Folding them into a failed check would turn "could not look" into "looked and
// it was wrong" — a verdict (exit 1) where the truth is an error of the run (exit 2).
import { ModelsealError } from '../errors.js';

const RUN_ENDING_CODES: ReadonlySet<string> = new Set(['TIMEOUT', 'REGISTRY_AUTH']);

/**
 * True for an error that must end the run rather than count against one referrer or check: a
 * ModelsealError coded TIMEOUT or REGISTRY_AUTH, or an abort (an error named AbortError, or the
 * reason of an aborted `signal`).
 */
export function isRunEnding(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (e instanceof ModelsealError) return RUN_ENDING_CODES.has(e.code);
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');
}
