// Module hooks (registered by record-modules.mjs): append the URL of every ESM module the process
// loads to the file named in `initialize`'s data.
import { appendFileSync } from 'node:fs';

let out;

export function initialize(data) {
  out = data.out;
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
