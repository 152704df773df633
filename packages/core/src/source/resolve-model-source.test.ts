// resolveModelSource with real paths: a string follows openModelSource's rule (a typo is NOT_FOUND),
// and an opened artifact keeps its own registry options under the call's (only those set).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openModelSource } from './open-model-source.js';
import { resolveModelSource } from './resolve-model-source.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-resolve-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('resolveModelSource', () => {
  it('a string is opened by the one rule: a directory, an artifact with the options, a typo NOT_FOUND', async () => {
    expect(await resolveModelSource(tmp, { plainHttp: true })).toEqual({
      kind: 'directory',
      path: tmp,
      shown: tmp,
    });
    expect(
      await resolveModelSource('127.0.0.1:5000/m:v1', { plainHttp: true, maxReferrers: 3 }),
    ).toMatchObject({
      kind: 'artifact',
      ref: '127.0.0.1:5000/m:v1',
      options: { plainHttp: true, maxReferrers: 3 },
    });
    await expect(resolveModelSource(path.join(tmp, 'typo'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("an opened artifact's options stay under the call's; unset and non-registry options are not copied", async () => {
    const opened = await openModelSource('127.0.0.1:5000/m:v1', { plainHttp: true, maxReferrers: 3 });
    const r = await resolveModelSource(opened, {
      maxReferrers: 9,
      plainHttp: undefined,
      predicateType: 'x',
    } as Parameters<typeof resolveModelSource>[1]);
    expect(r).toMatchObject({ kind: 'artifact', options: { plainHttp: true, maxReferrers: 9 } });
    expect(r.kind === 'artifact' && Object.keys(r.options).sort()).toEqual(['maxReferrers', 'plainHttp']);
  });
});
