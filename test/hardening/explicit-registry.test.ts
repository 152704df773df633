// Issue 14 #16: no implicit Docker Hub. A reference without a registry host (a forgotten
// repository, or a short name like `x:v1`) is refused before any network access or hashing, with
// the full reference the user likely meant.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt } from './cli-process.js';

const box = cliSandbox('ms-hard-registry-');
beforeAll(() => {
  ensureBuilt();
  mkdirSync(path.join(box.dir, 'm'));
  writeFileSync(path.join(box.dir, 'm', 'weights.bin'), 'w');
});
afterAll(box.cleanup);

const HUB = 'no registry host (modelseal never assumes Docker Hub); write the full reference, e.g.';

describe('a reference needs an explicit registry host (issue 14 #16)', () => {
  it.each([
    [
      ['push', 'm', '127.0.0.1:5055'],
      "invalid reference '127.0.0.1:5055': '127.0.0.1:5055' is a registry without a repository; write 127.0.0.1:5055/REPOSITORY[:TAG]",
    ],
    [['push', 'm', 'x:v1'], `invalid reference 'x:v1': ${HUB} docker.io/library/x:v1 or localhost:5000/x:v1`],
    [
      ['pull', 'acme/model:v2', 'out'],
      `invalid reference 'acme/model:v2': ${HUB} docker.io/acme/model:v2 or localhost:5000/acme/model:v2`,
    ],
    [
      ['inspect', 'model'],
      `invalid reference 'model': ${HUB} docker.io/library/model or localhost:5000/model`,
    ],
    [
      ['copy', 'oci:layout:v1', 'mirror:v1'],
      `invalid reference 'mirror:v1': ${HUB} docker.io/library/mirror:v1 or localhost:5000/mirror:v1`,
    ],
  ])('%j is refused with the likely intended reference', (args, message) => {
    const started = Date.now();
    const r = box.run(args);
    expect(r.stderr).toBe(`modelseal: error[BAD_REFERENCE]: ${message}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
