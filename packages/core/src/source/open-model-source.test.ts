// The one dispatch rule, with real paths: an existing path is on disk, `oci:` and references with a
// registry host are artifacts, and a missing path is NOT_FOUND — never a registry request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openModelSource } from './open-model-source.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-open-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('openModelSource', () => {
  it('an existing directory or file is on disk, even when it also parses as a reference', async () => {
    expect(await openModelSource(tmp)).toEqual({ kind: 'directory', path: tmp, shown: tmp });
    const f = path.join(tmp, 'model.safetensors');
    writeFileSync(f, 'x');
    expect((await openModelSource(f)).kind).toBe('directory');
    const cwd = process.cwd();
    try {
      process.chdir(tmp);
      writeFileSync(path.join(tmp, 'localhost:5000'), 'a file named like a registry');
      expect((await openModelSource('localhost:5000')).kind).toBe('directory');
    } finally {
      process.chdir(cwd);
    }
  });

  it('oci: and references with a registry host are artifacts, options kept', async () => {
    const s = await openModelSource('127.0.0.1:5000/models/m:v1', { plainHttp: true });
    expect(s).toMatchObject({
      kind: 'artifact',
      ref: '127.0.0.1:5000/models/m:v1',
      shown: '127.0.0.1:5000/models/m:v1',
      options: { plainHttp: true },
      reference: { kind: 'registry', registry: '127.0.0.1:5000', repository: 'models/m', tag: 'v1' },
    });
    expect((await openModelSource(`oci:${path.join(tmp, 'missing-layout')}:v1`)).kind).toBe('artifact');
  });

  it('a path that does not exist is NOT_FOUND, whatever it looks like', async () => {
    for (const arg of ['./typo', path.join(tmp, 'typo'), 'models/typo', 'typo:v1']) {
      await expect(openModelSource(arg)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `${arg} does not exist (and is not an artifact reference: write host[:port]/repository[:tag] or oci:PATH[:tag])`,
      });
    }
    await expect(openModelSource('oci:')).rejects.toMatchObject({ code: 'BAD_REFERENCE' });
  });
});
