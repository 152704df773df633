import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyArtifact } from './copy-artifact.js';
import { pushModel } from './push-model.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-copy-artifact-'));
let digest: string;
beforeAll(async () => {
  ({ digest } = await pushModel(path.join(repo, 'fixtures/models/sample-model'), `oci:${tmp}/src:v1`));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tagsOf = (layout: string): string[] =>
  (
    JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
      manifests: { annotations?: Record<string, string> }[];
    }
  ).manifests
    .map((m) => m.annotations?.['org.opencontainers.image.ref.name'])
    .filter((t): t is string => t !== undefined);

describe('copyArtifact', () => {
  it("tags the copy with the destination's tag, else the source's, and pins the printed reference", async () => {
    const a = await copyArtifact(`oci:${tmp}/src:v1`, `oci:${tmp}/a`);
    expect(a.reference).toBe(`oci:${tmp}/a:v1@${digest}`);
    expect(tagsOf(`${tmp}/a`)).toEqual(['v1']);
    const b = await copyArtifact(`oci:${tmp}/src:v1`, `oci:${tmp}/b:prod`);
    expect(b.reference).toBe(`oci:${tmp}/b:prod@${digest}`);
    expect(tagsOf(`${tmp}/b`)).toEqual(['prod']);
  });

  it('a source pinned by digest copies untagged unless the destination names a tag', async () => {
    const c = await copyArtifact(`oci:${tmp}/src@${digest}`, `oci:${tmp}/c`);
    expect(c.reference).toBe(`oci:${tmp}/c@${digest}`);
    expect(tagsOf(`${tmp}/c`)).toEqual([]);
  });

  it('refuses a destination with a digest (BAD_REFERENCE) before copying anything', async () => {
    await expect(copyArtifact(`oci:${tmp}/src:v1`, `oci:${tmp}/d@${digest}`)).rejects.toMatchObject({
      code: 'BAD_REFERENCE',
      message: `copy destination 'oci:${tmp}/d@${digest}' must not carry a digest`,
    });
  });
});
