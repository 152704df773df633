// Loads a heavy CommonJS dependency on first use instead of at import time, so that commands that
// never need it (hash, key sign/verify, pull) start fast. Types come from `typeof import(...)`.
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(id) as T);
}
