// What `watch` reports: one event per change to a deployed model, printed as a JSON line.

/** Kinds of drift: content differs from the signature, a file appeared or went away, mode or owner changed,
 *  a drifted file is back to its signed content, or the tree cannot be walked (a symlink, a FIFO...). */
export type DriftChange = 'modified' | 'added' | 'removed' | 'mode' | 'owner' | 'restored' | 'invalid';

/** One change to a watched model. */
export interface DriftEvent {
  /** ISO 8601 time the change was seen */
  time: string;
  /** model-relative POSIX path ('.' for the model as a whole) */
  path: string;
  change: DriftChange;
  /** what changed: digests, `0644 -> 0666`, `uid 0 -> 1000`, an error message */
  detail?: string;
}
