// End-to-end tests of `modelseal push | pull | inspect | copy` (the built CLI, run in this process by
// ./cli-in-process.ts) over OCI layouts: output shapes, exit codes (1 verification, 2 input) and one-line errors.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeModel, readTree, sha256, writeArtifact } from './oci/model-fixture.js';
import { runCliInProcess } from './cli-in-process.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-oci-cli-'));
const model = path.join(tmp, 'cli-model');
makeModel(model);

// dist/ is rebuilt when stale by test/global-setup.ts before any test file runs.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI in `cwd` (relative references such as oci:layout resolve there). */
function modelseal(args: string[], cwd: string) {
  return runCliInProcess(args, { cwd });
}

// One layout pushed once; every test works in its own directory on its own copy of it.
const base = path.join(tmp, 'base');
let digest = '';
beforeAll(async () => {
  mkdirSync(base);
  const r = await modelseal(['push', model, 'oci:layout:v1'], base);
  expect(r.code, r.stderr).toBe(0);
  digest = r.stdout.trim().split('@')[1];
});
let cases = 0;
/** A fresh working directory holding a copy of the base layout as ./layout (unless `empty`). */
function workdir(empty = false): string {
  const dir = path.join(tmp, `case-${cases++}`);
  mkdirSync(dir);
  if (!empty) cpSync(path.join(base, 'layout'), path.join(dir, 'layout'), { recursive: true });
  return dir;
}

describe('modelseal push/pull/inspect/copy over OCI layouts', () => {
  it('push prints REF@digest; --json prints the contract fields', async () => {
    const cwd = workdir(true);
    const r = await modelseal(['push', model, 'oci:layout:v1'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`oci:layout:v1@${digest}\n`); // same model, same manifest as the base push
    expect(r.stderr).toMatch(/^pushed 11 files \([\d.]+ KiB, 0 blobs already present\) in [\d.]+ s\n$/);
    const j = await modelseal(['push', model, 'oci:layout:v1', '--json'], cwd);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(Object.keys(out)).toEqual(['reference', 'digest', 'mediaType', 'size', 'layers']);
    expect(out).toMatchObject({
      reference: `oci:layout:v1@${digest}`,
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    const manifest = readFileSync(path.join(cwd, 'layout/blobs/sha256', digest.slice(7)));
    expect(out.size).toBe(manifest.length);
    expect(sha256(manifest)).toBe(digest);
    expect(out.layers.find((l: { path: string }) => l.path === 'config.json')).toEqual({
      path: 'config.json',
      mediaType: 'application/vnd.cncf.model.weight.config.v1.raw',
      digest: sha256(readFileSync(path.join(model, 'config.json'))),
      size: readFileSync(path.join(model, 'config.json')).length,
    });
  });

  it('--dataset changes the media type of matching files', async () => {
    const j = JSON.parse(
      (await modelseal(['push', model, 'oci:layout:data', '--dataset', '*.csv', '--json'], workdir())).stdout,
    );
    expect(j.layers.find((l: { path: string }) => l.path === 'data/train.csv').mediaType).toBe(
      'application/vnd.cncf.model.dataset.v1.raw',
    );
    expect(j.digest).not.toBe(digest);
  });

  it('pull writes the model and prints the pinned reference; --json lists files', async () => {
    const cwd = workdir();
    const r = await modelseal(['pull', 'oci:layout:v1', 'out'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`oci:layout:v1@${digest}\n`);
    expect(readTree(path.join(cwd, 'out'))).toEqual(readTree(model));
    const j = await modelseal(
      ['pull', `oci:layout@${digest}`, 'out-json', '--include', 'scripts/*', '--json'],
      cwd,
    );
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({
      reference: `oci:layout@${digest}`,
      digest,
      format: 'modelpack',
      files: [
        {
          path: 'scripts/run.sh',
          digest: sha256(readFileSync(path.join(model, 'scripts/run.sh'))),
          size: 18,
        },
      ],
    });
  });

  it('inspect shows layers and the referrers tree; --json is machine-readable', async () => {
    const cwd = workdir();
    const r = await modelseal(['inspect', 'oci:layout:v1'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`oci:layout:v1@${digest}`);
    expect(r.stdout).toMatch(/ {2}format: {7}modelpack\n/);
    expect(r.stdout).toMatch(/vnd\.cncf\.model\.code\.v1\.raw {2}scripts\/run\.sh\n/);
    expect(r.stdout).toMatch(/referrers: none\n$/);
    const j = JSON.parse((await modelseal(['inspect', 'oci:layout:v1', '--json'], cwd)).stdout);
    expect(j.descriptor.digest).toBe(digest);
    expect(j.layers).toHaveLength(11);
    expect(j.config.modelfs.diffIds).toHaveLength(11);
  });

  /** Attach a signature referrer to v1 and an SBOM referrer to the signature, in cwd/layout. */
  async function attachReferrers(cwd: string) {
    const subject = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: readFileSync(path.join(cwd, 'layout/blobs/sha256', digest.slice(7))).length,
    };
    const layout = path.join(cwd, 'layout');
    const sig = await writeArtifact(
      layout,
      '',
      [{ bytes: Buffer.from('{"sig":1}'), mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }],
      { artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', subject },
    );
    const sbom = await writeArtifact(
      layout,
      '',
      [{ bytes: Buffer.from('{"bom":1}'), mediaType: 'application/vnd.cyclonedx+json' }],
      { artifactType: 'application/vnd.cyclonedx+json', subject: sig.descriptor },
    );
    return { sig, sbom };
  }

  it('inspect draws the referrers tree, and copy --no-referrers leaves them behind', async () => {
    const cwd = workdir();
    const { sig, sbom } = await attachReferrers(cwd);
    const r = await modelseal(['inspect', 'oci:layout:v1'], cwd);
    expect(r.code).toBe(0);
    expect(
      r.stdout.endsWith(
        [
          'referrers:',
          '└── application/vnd.dev.sigstore.bundle.v0.3+json',
          `    └── ${sig.descriptor.digest}`,
          // inspect reads each bundle referrer: this one is no Sigstore bundle
          `        unreadable bundle: error[UNSUPPORTED_MEDIA_TYPE]: ${sig.descriptor.digest}: unsupported bundle mediaType 'undefined' (expected 'application/vnd.dev.sigstore.bundle.v0.3+json')`,
          '        └── application/vnd.cyclonedx+json',
          `            └── ${sbom.descriptor.digest}`,
          '',
        ].join('\n'),
      ),
    ).toBe(true);
    const c = await modelseal(['copy', 'oci:layout:v1', 'oci:bare', '--no-referrers', '--json'], cwd);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ reference: `oci:bare:v1@${digest}`, digest, referrers: [] });
    const all = await modelseal(['copy', 'oci:layout:v1', 'oci:full', '--json'], cwd);
    expect(JSON.parse(all.stdout).referrers).toEqual([sig.descriptor.digest, sbom.descriptor.digest]);
  });

  it('copy between layouts keeps the digest, and takes the referrers along', async () => {
    const cwd = workdir();
    await attachReferrers(cwd);
    const r = await modelseal(['copy', 'oci:layout:v1', 'oci:copied'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`oci:copied:v1@${digest}\n`);
    expect(r.stderr).toMatch(/^copied 15 blobs \([\d.]+ KiB\), skipped 1, 2 referrers\n$/);
  });

  it('exit 2 with one-line errors for bad references, busy destinations and usage', async () => {
    const cwd = workdir();
    mkdirSync(path.join(cwd, 'out'));
    writeFileSync(path.join(cwd, 'out', 'keep.txt'), 'mine');
    const bad = await modelseal(['pull', 'oci:layout:v1@sha256:xyz', 'o'], cwd);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(
      "modelseal: error[BAD_REFERENCE]: invalid reference 'oci:layout:v1@sha256:xyz': 'sha256:xyz' is not a sha256 digest (sha256: + 64 lowercase hex)\n",
    );
    const busy = await modelseal(['pull', 'oci:layout:v1', 'out'], cwd);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: destination ${path.join(cwd, 'out')} already exists and is not an empty directory\n`,
    );
    expect(readdirSync(path.join(cwd, 'out'))).toEqual(['keep.txt']);
    const missing = await modelseal(['pull', 'oci:layout:nope', 'o2'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`modelseal: error[NOT_FOUND]: tag 'nope' not found in oci:layout\n`);
    const user = await modelseal(['push', model, 'oci:x', '--username', 'u'], cwd);
    expect(user.code).toBe(2);
    expect(user.stderr).toMatch(/error\[USAGE\]: --username needs --password-stdin/);
    const conc = await modelseal(['pull', 'oci:layout:v1', 'o3', '--concurrency', '0'], cwd);
    expect(conc.code).toBe(2);
    expect(conc.stderr).toMatch(/error\[USAGE\]: --concurrency must be an integer from 1 to 64/);
  });

  it('exit 1 when a blob was tampered with, and nothing appears at DEST', async () => {
    const weights = sha256(readFileSync(path.join(model, 'model.safetensors')));
    const cwd = workdir();
    const blob = path.join(cwd, 'layout/blobs/sha256', weights.slice(7));
    const evil = readFileSync(blob);
    evil[100] ^= 0xff;
    writeFileSync(blob, evil);
    const before = readdirSync(cwd).sort();
    const r = await modelseal(['pull', 'oci:layout:v1', 'tampered'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `modelseal: error[DIGEST_MISMATCH]: oci:layout:v1 layer ${weights} (model.safetensors): content hashes to ${sha256(evil)} (49152 bytes), expected ${weights} (49152 bytes)\n`,
    );
    expect(readdirSync(cwd).sort()).toEqual(before);
  });
});
