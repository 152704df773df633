// End-to-end tests of `modelseal push | pull | inspect | copy` as real processes (the built CLI) over OCI
// layouts: output shapes, exit codes (1 verification, 2 input) and one-line errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeModel, readTree, sha256, writeArtifact } from './oci/model-fixture.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-oci-cli-'));
const model = path.join(tmp, 'cli-model');
makeModel(model);

// dist/ is rebuilt when stale by test/global-setup.ts before any test file runs.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function modelseal(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: tmp,
    ...(input !== undefined ? { input } : {}),
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('modelseal push/pull/inspect/copy over OCI layouts', () => {
  let digest = '';

  it('push prints REF@digest; --json prints the contract fields', () => {
    const r = modelseal(['push', model, 'oci:layout:v1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^oci:layout:v1@sha256:[a-f0-9]{64}\n$/);
    digest = r.stdout.trim().split('@')[1];
    expect(r.stderr).toMatch(/^pushed 11 files \([\d.]+ KiB, 0 blobs already present\) in [\d.]+ s\n$/);
    const j = modelseal(['push', model, 'oci:layout:v1', '--json']);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(Object.keys(out)).toEqual(['reference', 'digest', 'mediaType', 'size', 'layers']);
    expect(out).toMatchObject({
      reference: `oci:layout:v1@${digest}`,
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    const manifest = readFileSync(path.join(tmp, 'layout/blobs/sha256', digest.slice(7)));
    expect(out.size).toBe(manifest.length);
    expect(sha256(manifest)).toBe(digest);
    expect(out.layers.find((l: { path: string }) => l.path === 'config.json')).toEqual({
      path: 'config.json',
      mediaType: 'application/vnd.cncf.model.weight.config.v1.raw',
      digest: sha256(readFileSync(path.join(model, 'config.json'))),
      size: readFileSync(path.join(model, 'config.json')).length,
    });
  });

  it('--dataset changes the media type of matching files', () => {
    const j = JSON.parse(
      modelseal(['push', model, 'oci:layout:data', '--dataset', '*.csv', '--json']).stdout,
    );
    expect(j.layers.find((l: { path: string }) => l.path === 'data/train.csv').mediaType).toBe(
      'application/vnd.cncf.model.dataset.v1.raw',
    );
    expect(j.digest).not.toBe(digest);
  });

  it('pull writes the model and prints the pinned reference; --json lists files', () => {
    const r = modelseal(['pull', 'oci:layout:v1', 'out']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`oci:layout:v1@${digest}\n`);
    expect(readTree(path.join(tmp, 'out'))).toEqual(readTree(model));
    const j = modelseal(['pull', `oci:layout@${digest}`, 'out-json', '--include', 'scripts/*', '--json']);
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

  it('inspect shows layers and the referrers tree; --json is machine-readable', () => {
    const r = modelseal(['inspect', 'oci:layout:v1']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`oci:layout:v1@${digest}`);
    expect(r.stdout).toMatch(/ {2}format: {7}modelpack\n/);
    expect(r.stdout).toMatch(/vnd\.cncf\.model\.code\.v1\.raw {2}scripts\/run\.sh\n/);
    expect(r.stdout).toMatch(/referrers: none\n$/); // before any referrer is attached (next test)
    const j = JSON.parse(modelseal(['inspect', 'oci:layout:v1', '--json']).stdout);
    expect(j.descriptor.digest).toBe(digest);
    expect(j.layers).toHaveLength(11);
    expect(j.config.modelfs.diffIds).toHaveLength(11);
  });

  it('inspect draws the referrers tree, and copy --no-referrers leaves them behind', async () => {
    const subject = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: readFileSync(path.join(tmp, 'layout/blobs/sha256', digest.slice(7))).length,
    };
    const layout = path.join(tmp, 'layout');
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
    const r = modelseal(['inspect', 'oci:layout:v1']);
    expect(r.code).toBe(0);
    expect(
      r.stdout.endsWith(
        [
          'referrers:',
          '└── application/vnd.dev.sigstore.bundle.v0.3+json',
          `    └── ${sig.descriptor.digest}`,
          '        └── application/vnd.cyclonedx+json',
          `            └── ${sbom.descriptor.digest}`,
          '',
        ].join('\n'),
      ),
    ).toBe(true);
    const c = modelseal(['copy', 'oci:layout:v1', 'oci:bare', '--no-referrers', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ reference: `oci:bare:v1@${digest}`, digest, referrers: [] });
    const all = modelseal(['copy', 'oci:layout:v1', 'oci:full', '--json']);
    expect(JSON.parse(all.stdout).referrers).toEqual([sig.descriptor.digest, sbom.descriptor.digest]);
  });

  it('copy between layouts keeps the digest', () => {
    const r = modelseal(['copy', 'oci:layout:v1', 'oci:copied']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`oci:copied:v1@${digest}\n`);
    expect(r.stderr).toMatch(/^copied 15 blobs \([\d.]+ KiB\), skipped 1, 2 referrers\n$/);
  });

  it('exit 2 with one-line errors for bad references, busy destinations and usage', () => {
    const bad = modelseal(['pull', 'oci:layout:v1@sha256:xyz', 'o']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(
      "modelseal: error[BAD_REFERENCE]: invalid reference 'oci:layout:v1@sha256:xyz': 'sha256:xyz' is not a sha256 digest (sha256: + 64 lowercase hex)\n",
    );
    const busy = modelseal(['pull', 'oci:layout:v1', 'out']);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(
      `modelseal: error[DEST_EXISTS]: destination ${path.join(tmp, 'out')} already exists and is not an empty directory\n`,
    );
    const missing = modelseal(['pull', 'oci:layout:nope', 'o2']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`modelseal: error[NOT_FOUND]: tag 'nope' not found in oci:layout\n`);
    const user = modelseal(['push', model, 'oci:x', '--username', 'u']);
    expect(user.code).toBe(2);
    expect(user.stderr).toMatch(/error\[USAGE\]: --username needs --password-stdin/);
    const conc = modelseal(['pull', 'oci:layout:v1', 'o3', '--concurrency', '0']);
    expect(conc.code).toBe(2);
    expect(conc.stderr).toMatch(/error\[USAGE\]: --concurrency must be an integer from 1 to 64/);
  });

  it('exit 1 when a blob was tampered with, and nothing appears at DEST', () => {
    const weights = sha256(readFileSync(path.join(model, 'model.safetensors')));
    const blob = path.join(tmp, 'layout/blobs/sha256', weights.slice(7));
    const original = readFileSync(blob);
    const evil = Buffer.from(original);
    evil[100] ^= 0xff;
    writeFileSync(blob, evil);
    try {
      const before = readdirSync(tmp).sort();
      const r = modelseal(['pull', 'oci:layout:v1', 'tampered']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^modelseal: error\\[DIGEST_MISMATCH\\]: oci:layout:v1 layer ${weights} \\(model\\.safetensors\\): content hashes to sha256:[a-f0-9]{64} \\(49152 bytes\\), expected ${weights} \\(49152 bytes\\)\\n$`,
        ),
      );
      expect(readdirSync(tmp).sort()).toEqual(before);
    } finally {
      writeFileSync(blob, original);
    }
  });
});
