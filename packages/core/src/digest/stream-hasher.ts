// The incremental-hash contract every hash implementation (node:crypto, BLAKE3) returns.

/** An incremental hash: feed bytes with `update`, then call `digest` once. */
export interface StreamHasher {
  update(bytes: Uint8Array): void;
  digest(): Buffer;
}
