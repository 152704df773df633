// Hostile artifacts built by hand into OCI layouts: every one must fail closed with the right error
// code, leave DEST absent and leave no staging directory behind.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact } from '../packages/core/src/oci/inspect.js';
import { pullModel } from '../packages/core/src/oci/pull-model.js';
import { bytesOf, gzip, sha256, tarOf, writeArtifact, type HandLayer } from './oci/model-fixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'ms-oci-hostile-'));
const layouts = join(tmp, 'layouts');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RAW = 'application/vnd.cncf.model.weight.v1.raw';
const TAR = 'application/vnd.cncf.model.weight.v1.tar';
const at = (path: string): Record<string, string> => ({ 'org.cncf.model.filepath': path });
const file = (path: string, body = 'x'): HandLayer => ({
  bytes: Buffer.from(body),
  mediaType: RAW,
  annotations: at(path),
});

let n = 0;
/**
 * Build the artifact into its own layout, pull it into its own parent directory (which holds one
 * unrelated file), and check code + message fragment + that nothing was left behind.
 */
async function expectRefused(
  layers: HandLayer[],
  code: string,
  message: RegExp,
  tamper?: (layout: string) => void,
): Promise<void> {
  const layout = join(layouts, `case-${n}`);
  const parent = join(tmp, `models-${n++}`);
  mkdirSync(parent);
  writeFileSync(join(parent, 'other-model.txt'), 'unrelated');
  await writeArtifact(layout, 'v1', layers, {
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    configMediaType: 'application/vnd.cncf.model.config.v1+json',
  });
  tamper?.(layout);
  const before = readdirSync(parent).sort();
  const dest = join(parent, 'model');
  const err = await pullModel(`oci:${layout}:v1`, dest).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(err?.code).toBe(code);
  expect(err?.message).toMatch(message);
  expect(readdirSync(parent).sort()).toEqual(before);
  expect(before).toEqual(['other-model.txt']);
}

describe('pull fails closed on hostile artifacts', () => {
  it('rejects a layer path that climbs out with ..', async () => {
    await expectRefused(
      [file('ok.bin'), file('../../etc/passwd')],
      'UNSAFE_PATH',
      /layer 1: refusing path "\.\.\/\.\.\/etc\/passwd": contains '\.\.'/,
    );
  });

  it('rejects an absolute layer path', async () => {
    await expectRefused([file('/etc/passwd')], 'UNSAFE_PATH', /refusing path "\/etc\/passwd": absolute path/);
  });

  it('rejects backslashes, NUL, empty and dot components', async () => {
    await expectRefused([file('a\\..\\b')], 'UNSAFE_PATH', /contains a backslash/);
    await expectRefused([file('a\0b')], 'UNSAFE_PATH', /contains NUL/);
    await expectRefused([file('')], 'UNSAFE_PATH', /empty path/);
    await expectRefused([file('a/./b')], 'UNSAFE_PATH', /empty or '\.' component/);
  });

  it('rejects two layers on one path', async () => {
    await expectRefused(
      [file('w.bin', 'one'), file('w.bin', 'two')],
      'UNSAFE_PATH',
      /"w\.bin": appears twice/,
    );
  });

  it('rejects a layer path that is a directory of another layer', async () => {
    await expectRefused(
      [file('a/b', 'file'), file('a', 'dir?')],
      'UNSAFE_PATH',
      /"a": is a directory of other files/,
    );
    await expectRefused(
      [file('a', 'file'), file('a/b', 'below a file')],
      'UNSAFE_PATH',
      /'a' is a file, not a directory/,
    );
  });

  it('rejects a tar layer with a .. entry', async () => {
    const t = await tarOf([
      { name: 'ok.txt', body: 'fine' },
      { name: '../escape.txt', body: 'evil' },
    ]);
    await expectRefused(
      [{ bytes: t, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /tar entry: refusing path "\.\.\/escape\.txt"/,
    );
  });

  it('rejects a tar layer with an absolute entry', async () => {
    const t = await tarOf([{ name: '/etc/cron.d/x', body: 'evil' }]);
    await expectRefused([{ bytes: t, mediaType: TAR, annotations: at('w') }], 'UNSAFE_PATH', /absolute path/);
  });

  it('rejects symlinks pointing outside, absolute symlinks, and writes through a symlink', async () => {
    const out = await tarOf([{ name: 'link', type: 'symlink', linkname: '../../../etc' }]);
    await expectRefused(
      [{ bytes: out, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /symlink to '\.\.\/\.\.\/\.\.\/etc' points outside the model/,
    );
    const abs = await tarOf([{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }]);
    await expectRefused(
      [{ bytes: abs, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /is absolute or malformed/,
    );
    const through = await tarOf([
      { name: 'sub', type: 'directory' },
      { name: 'link', type: 'symlink', linkname: 'sub' },
      { name: 'link/x', body: 'via link' },
    ]);
    await expectRefused(
      [{ bytes: through, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /'link' is a symlink; refusing to write through it/,
    );
  });

  it('rejects a symlink chain that escapes although each link looks inside, and dangling links', async () => {
    const chain = await tarOf([
      { name: 'a/b/c', type: 'directory' },
      { name: 'a/b/l', type: 'symlink', linkname: '..' },
      { name: 's', type: 'symlink', linkname: 'a/b/l/../../x' },
    ]);
    await expectRefused(
      [{ bytes: chain, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /refusing tar entry "s": symlink (target does not exist in the model|resolves outside the model)/,
    );
    const dangling = await tarOf([{ name: 'gone', type: 'symlink', linkname: 'missing.bin' }]);
    await expectRefused(
      [{ bytes: dangling, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /"gone": symlink target does not exist in the model/,
    );
  });

  it('rejects device files, FIFOs and hard links to nowhere in tar layers', async () => {
    const dev = await tarOf([{ name: 'null', type: 'character-device' }]);
    await expectRefused(
      [{ bytes: dev, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /entries of type 'character-device' are not allowed/,
    );
    const fifo = await tarOf([{ name: 'pipe', type: 'fifo' }]);
    await expectRefused(
      [{ bytes: fifo, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /type 'fifo'/,
    );
    const hard = await tarOf([{ name: 'h', type: 'link', linkname: '../../etc/shadow' }]);
    await expectRefused(
      [{ bytes: hard, mediaType: TAR, annotations: at('w') }],
      'UNSAFE_PATH',
      /refusing path "\.\.\/\.\.\/etc\/shadow"/,
    );
    const rawLink = await tarOf([{ name: 'h', type: 'link', linkname: 'weights.bin' }]);
    await expectRefused(
      [file('weights.bin', 'raw layer'), { bytes: rawLink, mediaType: TAR, annotations: at('t') }],
      'UNSAFE_PATH',
      /hard link to 'weights\.bin' does not name an earlier file of this layer/,
    );
  });

  it('rejects a tar entry that collides with a raw layer', async () => {
    const t = await tarOf([{ name: 'weights.bin', body: 'shadow' }]);
    await expectRefused(
      [file('weights.bin', 'real'), { bytes: t, mediaType: TAR, annotations: at('extra') }],
      'UNSAFE_PATH',
      /"weights\.bin": appears twice/,
    );
  });

  it('rejects a layer whose bytes do not match its digest (corrupt blob in the layout)', async () => {
    const good = bytesOf('good', 4096);
    await expectRefused(
      [file('ok.txt', 'fine'), { bytes: good, mediaType: RAW, annotations: at('model.bin') }],
      'DIGEST_MISMATCH',
      new RegExp(`content hashes to sha256:[0-9a-f]{64} \\(4096 bytes\\), expected ${sha256(good)}`),
      (layout) => {
        writeFileSync(join(layout, 'blobs/sha256', sha256(good).slice(7)), bytesOf('evil', 4096));
      },
    );
  });

  it('rejects a blob longer than its descriptor says, and a truncated one', async () => {
    const good = bytesOf('good2', 1000);
    await expectRefused(
      [{ bytes: good, mediaType: RAW, annotations: at('model.bin') }],
      'DIGEST_MISMATCH',
      /more than the 1000 bytes its descriptor declares/,
      (layout) => {
        writeFileSync(
          join(layout, 'blobs/sha256', sha256(good).slice(7)),
          Buffer.concat([good, Buffer.from('trailing')]),
        );
      },
    );
    const good3 = bytesOf('good3', 1000);
    await expectRefused(
      [{ bytes: good3, mediaType: RAW, annotations: at('model.bin') }],
      'DIGEST_MISMATCH',
      /\(999 bytes\), expected/,
      (layout) => {
        writeFileSync(join(layout, 'blobs/sha256', sha256(good3).slice(7)), good3.subarray(0, 999));
      },
    );
  });

  it('rejects a corrupt tar+gzip layer before moving anything into place', async () => {
    const t = gzip(await tarOf([{ name: 'a.txt', body: 'aaa' }]));
    await expectRefused(
      [{ bytes: t, mediaType: 'application/vnd.cncf.model.weight.v1.tar+gzip', annotations: at('w') }],
      'DIGEST_MISMATCH',
      /expected sha256:/,
      (layout) => {
        const evil = gzip(Buffer.alloc(t.length, 0));
        writeFileSync(join(layout, 'blobs/sha256', sha256(t).slice(7)), evil.subarray(0, t.length));
      },
    );
  });

  it('rejects a manifest over 4 MiB before parsing it', async () => {
    await expectRefused([file('f0')], 'MANIFEST_TOO_LARGE', /is \d+ bytes \(limit 4194304\)/, (layout) => {
      // replace the tagged manifest by a > 4 MiB one (valid JSON, padded annotation)
      const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
      const manifest = JSON.parse(
        readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
      );
      manifest.annotations = { pad: 'x'.repeat(4 * 1024 * 1024) };
      const bytes = Buffer.from(JSON.stringify(manifest));
      writeFileSync(join(layout, 'blobs/sha256', sha256(bytes).slice(7)), bytes);
      index.manifests[0] = { ...index.manifests[0], digest: sha256(bytes), size: bytes.length };
      writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    });
  });

  it('rejects a manifest whose bytes do not match the digest in index.json', async () => {
    await expectRefused([file('a')], 'DIGEST_MISMATCH', /is corrupt: its \d+ bytes hash to/, (layout) => {
      const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
      const p = join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7));
      writeFileSync(p, readFileSync(p, 'utf8').replace('"a"', '"b"'));
    });
  });

  it('rejects an index.json digest with path tricks', async () => {
    await expectRefused([file('a')], 'UNSUPPORTED_ARTIFACT', /is not sha256:<64 hex>/, (layout) => {
      const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
      index.manifests[0].digest = 'sha256:../../../../etc/passwd';
      writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    });
  });
});

describe('inspect fails closed on hostile artifacts', () => {
  it('stops reading a config blob at the first byte beyond its declared size', async () => {
    const layout = join(layouts, 'inspect-long-config');
    const config = Buffer.from('{"descriptor":{"name":"m"}}');
    await writeArtifact(layout, 'v1', [file('a')], {
      configMediaType: 'application/vnd.cncf.model.config.v1+json',
      config,
    });
    writeFileSync(
      join(layout, 'blobs/sha256', sha256(config).slice(7)),
      Buffer.concat([config, Buffer.alloc(2 * 1024 * 1024, 0x20)]),
    );
    const err = await inspectArtifact(`oci:${layout}:v1`).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe('DIGEST_MISMATCH');
    expect(err?.message).toBe(
      `config ${sha256(config)} from oci:${layout}: more than the ${config.length} bytes its descriptor declares (${sha256(config)})`,
    );
  });
});
