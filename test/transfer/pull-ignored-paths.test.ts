// Issue 14 #1: `modelseal pull` never writes a path that `verify DIR` ignores (.git, .gitattributes,
// .github, .gitignore, model.sig): raw layers are skipped without being downloaded (their blobs are
// even missing here), archive entries are left out, each with one warning; --strict refuses the
// artifact with IGNORED_PATH (exit 1) and writes nothing.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, ensureBuilt } from '../hardening/cli-process.js';
import { readTree, sha256, tarOf, writeArtifact } from '../oci/model-fixture.js';

const box = cliSandbox('ms-pull-ignored-');
const layout = path.join(box.dir, 'layout');
const raw = (p: string, body: string) => ({
  bytes: Buffer.from(body),
  mediaType: 'application/vnd.cncf.model.weight.v1.raw',
  annotations: { 'org.cncf.model.filepath': p },
});
let gitConfig = '';

beforeAll(async () => {
  ensureBuilt();
  const archive = await tarOf([
    { name: 'src/ok.py', body: 'print("ok")\n' },
    { name: '.github/', type: 'directory' },
    { name: '.github/workflows/ci.yml', body: 'on: push\n' },
  ]);
  await writeArtifact(layout, 'v1', [
    raw('model.safetensors', 'weights'),
    raw('.git/config', '[core]\n\tfsmonitor = "touch /tmp/pwned"\n'),
    raw('.gitattributes', '*.bin filter=lfs\n'),
    raw('model.sig', '{"not":"a bundle"}'),
    { bytes: archive, mediaType: 'application/vnd.cncf.model.code.v1.tar' },
  ]);
  // The .git/config blob is not even in the layout: a pull that tried to download it would fail.
  gitConfig = sha256('[core]\n\tfsmonitor = "touch /tmp/pwned"\n');
  rmSync(path.join(layout, 'blobs/sha256', gitConfig.slice(7)));
});
afterAll(() => box.cleanup());

describe('pull and paths verify ignores', () => {
  it('skips them with one warning each, writes the rest, lists them in --json', () => {
    const r = box.run(['pull', 'oci:layout:v1', 'out', '--json']);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(
      `modelseal: warning: oci:layout:v1 layer ${gitConfig}: not writing '.git/config': verify ignores this path, so no signature covers it`,
    );
    expect(lines[1]).toContain(`: not writing '.gitattributes'`);
    expect(lines[2]).toContain(`: not writing 'model.sig'`);
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/layer sha256:[a-f0-9]{64}: not writing '\.github': verify ignores this path/),
      expect.stringMatching(/layer sha256:[a-f0-9]{64}: not writing '\.github\/workflows\/ci\.yml': verify/),
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.skipped).toEqual([
      '.git/config',
      '.gitattributes',
      'model.sig',
      '.github',
      '.github/workflows/ci.yml',
    ]);
    expect(Object.keys(readTree(path.join(box.dir, 'out'))).sort()).toEqual([
      'model.safetensors',
      'src/ok.py',
    ]);
  });

  it('--strict refuses the whole artifact with IGNORED_PATH, exit 1, nothing written', () => {
    const r = box.run(['pull', 'oci:layout:v1', 'strict-out', '--strict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `modelseal: error[IGNORED_PATH]: oci:layout:v1: layer 1 writes '.git/config', a path verify ignores, so no signature covers it; refusing the artifact (strict, the default when pulling verified or with a policy)\n`,
    );
    expect(existsSync(path.join(box.dir, 'strict-out'))).toBe(false);
    expect(readdirSync(box.dir).filter((n) => n.includes('staging'))).toEqual([]);
  });
});
