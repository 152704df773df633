// Issue 14 #12: raw file-system errors never reach the user as error[INTERNAL]. ENOTDIR,
// ENAMETOOLONG and EACCES each get their own code and one line naming the path; write failures
// are UNWRITABLE; a layer without a file path is UNSUPPORTED_ARTIFACT; temporary names stay short.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, PASSWORD_ENV, TEST_PUB, cliSandbox, ensureBuilt, signArgs } from './cli-process.js';
import { spawnSync } from 'node:child_process';

const box = cliSandbox('ms-hard-raw-');
const model = path.join(box.dir, 'model');
beforeAll(() => {
  ensureBuilt();
  mkdirSync(model);
  writeFileSync(path.join(model, 'weights.bin'), 'weights');
  writeFileSync(path.join(model, 'config.json'), '{}\n');
  expect(box.run(['push', model, 'oci:./layout:v1']).code).toBe(0);
});
afterAll(box.cleanup);

const oneLine = (stderr: string, code: string) => {
  expect(stderr.split('\n')).toHaveLength(2);
  expect(stderr.startsWith(`modelseal: error[${code}]: `)).toBe(true);
};

/** A copy of the pushed layout whose manifest's first layer annotations are changed by `edit`. */
function editedLayout(name: string, edit: (a: Record<string, string>) => void): string {
  const dir = path.join(box.dir, name);
  box.run(['copy', 'oci:./layout:v1', `oci:${dir}:v1`]);
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const m = JSON.parse(
    readFileSync(path.join(dir, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
  );
  edit(m.layers[0].annotations);
  const bytes = Buffer.from(JSON.stringify(m));
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(path.join(dir, 'blobs/sha256', hex), bytes);
  index.manifests[0] = { ...index.manifests[0], digest: `sha256:${hex}`, size: bytes.length };
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
  return dir;
}

describe('raw errors get their own codes (issue 14 #12)', () => {
  it('ENOTDIR: an oci: layout path that is a file is NOT_A_DIRECTORY, for push, pull and copy', () => {
    writeFileSync(path.join(box.dir, 'afile'), 'x');
    const push = box.run(['push', model, 'oci:./afile:v1']);
    expect(push.code).toBe(2);
    oneLine(push.stderr, 'NOT_A_DIRECTORY');
    expect(push.stderr).toMatch(
      /'afile\/blobs\/sha256\/[0-9a-f]{64}': a component of the path is not a directory, ENOTDIR\n$/,
    );
    const pull = box.run(['pull', 'oci:./afile:v1', 'dest']);
    expect(pull.code).toBe(2);
    oneLine(pull.stderr, 'NOT_A_DIRECTORY');
    expect(pull.stderr).toContain('afile/oci-layout');
    const copy = box.run(['copy', 'oci:./layout:v1', 'oci:./afile/sub:v1']);
    expect(copy.code).toBe(2);
    oneLine(copy.stderr, 'NOT_A_DIRECTORY');
  });

  it('ENAMETOOLONG: a 300-character DEST and a 300-character layer path are NAME_TOO_LONG', () => {
    const long = 'd'.repeat(300);
    const r = box.run(['pull', 'oci:./layout:v1', long]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, 'NAME_TOO_LONG');
    expect(r.stderr).toContain(long);
    const dir = editedLayout('longpath', (a) => (a['org.cncf.model.filepath'] = 'z'.repeat(300)));
    const p = box.run(['pull', `oci:${dir}:v1`, 'dest-long']);
    expect(p.code).toBe(2);
    oneLine(p.stderr, 'NAME_TOO_LONG');
    expect(p.stderr).toContain('z'.repeat(300));
  });

  it('a signature with a 250-character name is written (its temporary name stays under NAME_MAX)', () => {
    const sig = path.join(box.dir, `${'s'.repeat(250)}.sig`);
    const s = box.run(signArgs(model, '--signature', sig), PASSWORD_ENV);
    expect(s.stderr).toBe(
      `signed model (sha256:${s.stderr.match(/sha256:([0-9a-f]{64})/)?.[1]}, 2 resources, key) -> ${sig}\n`,
    );
    expect(s.code).toBe(0);
    expect(box.run(['verify', model, '--key', TEST_PUB, '--signature', sig]).code).toBe(0);
  });

  it('a layer with no org.cncf.model.filepath is UNSUPPORTED_ARTIFACT, not a TypeError', () => {
    const dir = editedLayout('nopath', (a) => delete a['org.cncf.model.filepath']);
    const r = box.run(['pull', `oci:${dir}:v1`, 'dest-nopath']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^modelseal: error\[UNSUPPORTED_ARTIFACT\]: oci:.*nopath:v1: layer 0 \(application\/vnd\.cncf\.model\.[a-z.]+\.v1\.raw\) has no file path annotation and is not an archive\n$/,
    );
  });

  it('EACCES: a read-only DEST parent and a read-only layout are UNWRITABLE, naming the path', () => {
    // Permissions do not bind root: run the CLI as nobody then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const ro = path.join(box.dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(box.dir, 0o755);
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: box.dir, encoding: 'utf8', ...asUser });
      return { code: r.status, stderr: r.stderr };
    };
    const pull = run(['pull', 'oci:./layout:v1', path.join(ro, 'dest')]);
    expect(pull.code).toBe(2);
    oneLine(pull.stderr, 'UNWRITABLE');
    expect(pull.stderr).toContain(`'${ro}/`);
    expect(pull.stderr).toMatch(/permission denied, EACCES\n$/);
    const push = run(['push', model, `oci:${ro}/layout:v1`]);
    expect(push.code).toBe(2);
    oneLine(push.stderr, 'UNWRITABLE');
    expect(push.stderr).toContain(ro);
  });
});
