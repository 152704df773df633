// Cheap checks on JSON text before JSON.parse, so that a hostile document (a signature file of
// 100 MB of `[[[[`) is refused in one pass over its bytes, without building anything.

/** Deepest nesting of arrays and objects a signature bundle may have (real ones reach 8). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/**
 * Why `bytes` cannot be JSON nested at most `maxDepth` deep, or undefined when it may be. Looks
 * only at brackets outside strings: no array or object may open deeper than `maxDepth`. Linear
 * time, no allocation.
 */
export function jsonShapeProblem(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): string | undefined {
  let i = 0;
  let depth = 0;
  let inString = false;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (OPEN.has(b)) {
      if (++depth > maxDepth) return `it nests arrays or objects more than ${maxDepth} deep`;
    } else if (CLOSE.has(b)) depth--;
  }
  return undefined;
}
