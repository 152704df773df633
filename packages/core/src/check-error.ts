// A check's failure as JSON (in verify and attestation reports): its stable code, message and remedy.
import { ModelsealError, type ErrorRemedy } from './errors.js';

/** A failed check's error as JSON: its stable code, its message, and the option that gets past it. */
export interface CheckError {
  code: string;
  message: string;
  /** The core option that gets past the error, when one does (front ends name their own flag). */
  remedy?: ErrorRemedy;
}

/** A check's error as JSON: its code, message and remedy; INTERNAL only for an error that is not typed. */
export function errorOf(e: unknown): CheckError {
  if (e instanceof ModelsealError)
    return { code: e.code, message: e.message, ...(e.remedy ? { remedy: e.remedy } : {}) };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}
