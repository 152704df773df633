// ModelPack push/pull against a real docker-registry (distribution 2.8) with no auth, htpasswd and token
// auth, cross-checked with skopeo (exact manifest bytes; skopeo copy to a layout then modelseal pull),
// copy with referrers between a layout and the registry, and hostile artifacts served by a registry.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../packages/core/src/oci/copy.js';
import { inspectArtifact } from '../packages/core/src/oci/inspect.js';
import { LayoutTarget } from '../packages/core/src/oci/layout/layout-target.js';
import { openTarget } from '../packages/core/src/oci/open-target.js';
import { pullModel } from '../packages/core/src/oci/pull-model.js';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import { makeModel, readTree, writeArtifact } from './oci/model-fixture.js';
import { startRegistry, type RegistryAuthMode, type RunningRegistry } from './registry/harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'packages/cli/dist/bin.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-oci-registry-'));
const model = path.join(tmp, 'reg-model');
makeModel(model);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Child processes run asynchronously: the token server lives in this process and must keep answering.
const execFileAsync = promisify(execFile);

function run(
  args: string[],
  input?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

async function skopeo(args: string[], reg: RunningRegistry): Promise<Buffer> {
  const [verb, ...rest] = args;
  const flag = verb === 'copy' ? '--src-creds' : '--creds';
  const creds = reg.username ? [flag, `${reg.username}:${reg.password}`] : [];
  const { stdout } = await execFileAsync('skopeo', ['--insecure-policy', verb, ...creds, ...rest], {
    env: { ...process.env, HOME: tmp },
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'buffer',
    timeout: 60_000,
  });
  return stdout;
}

describe.each(['none', 'htpasswd', 'token'] as RegistryAuthMode[])('registry with auth=%s', (auth) => {
  let reg: RunningRegistry;
  let creds: { username: string; password: string } | undefined;
  let pushed: Awaited<ReturnType<typeof pushModel>>;
  beforeAll(async () => {
    reg = await startRegistry({ auth });
    creds = reg.username ? { username: reg.username, password: reg.password as string } : undefined;
    // pushed once per registry; every test below only reads it (or pushes elsewhere)
    pushed = await pushModel(model, `${reg.host}/models/tiny:v1`, {
      ...(creds ? { credentials: creds } : {}),
    });
  });
  afterAll(async () => reg?.close());

  it('pushes a model; skopeo returns our exact manifest bytes', async () => {
    expect(pushed.reference).toBe(`${reg.host}/models/tiny:v1@${pushed.digest}`);
    const raw = await skopeo(
      ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/models/tiny:v1`],
      reg,
    );
    expect(Buffer.compare(raw, pushed.manifestBytes)).toBe(0);
    const config = await skopeo(
      ['inspect', '--config', '--raw', '--tls-verify=false', `docker://${reg.host}/models/tiny:v1`],
      reg,
    );
    expect(JSON.parse(config.toString()).modelfs.diffIds).toEqual(pushed.layers.map((l) => l.digest));
  });

  it('pulls it back byte-identical, and re-push skips every blob', async () => {
    const dest = path.join(tmp, `pulled-${auth}`);
    const r = await pullModel(`${reg.host}/models/tiny:v1`, dest, {
      ...(creds ? { credentials: creds } : {}),
    });
    expect(r.digest).toBe(pushed.digest);
    expect(readTree(dest)).toEqual(readTree(model));
    const again = await pushModel(model, `${reg.host}/models/tiny:v2`, {
      ...(creds ? { credentials: creds } : {}),
    });
    expect(again.digest).toBe(pushed.digest);
    expect(again.skipped).toBe(11);
  });

  it('skopeo copy docker:// -> oci: gives a layout modelseal pulls', async () => {
    const layout = path.join(tmp, `skopeo-layout-${auth}`);
    await skopeo(
      ['copy', '--src-tls-verify=false', `docker://${reg.host}/models/tiny:v1`, `oci:${layout}:v1`],
      reg,
    );
    const dest = path.join(tmp, `from-skopeo-${auth}`);
    const r = await pullModel(`oci:${layout}:v1`, dest);
    expect(r.digest).toBe(pushed.digest);
    expect(readTree(dest)).toEqual(readTree(model));
  });

  if (auth !== 'none') {
    it('refuses missing and wrong credentials with REGISTRY_AUTH, leaving nothing behind', async () => {
      const before = readdirSync(tmp).sort();
      await expect(
        pullModel(`${reg.host}/models/tiny:v1`, path.join(tmp, 'anon'), {
          credentials: { username: reg.username as string, password: 'wrong' },
        }),
      ).rejects.toMatchObject({ code: 'REGISTRY_AUTH' });
      await expect(
        pushModel(model, `${reg.host}/models/other:v1`, {
          credentials: { username: 'nobody', password: 'x' },
        }),
      ).rejects.toMatchObject({ code: 'REGISTRY_AUTH' });
      expect(readdirSync(tmp).sort()).toEqual(before);
    });
  }

  if (auth !== 'none') {
    it('CLI: push with --username/--password-stdin and pull (exit 0)', async () => {
      const push = await run(
        [
          'push',
          model,
          `${reg.host}/models/cli:v1`,
          '--username',
          reg.username as string,
          '--password-stdin',
          '--json',
        ],
        `${reg.password}\n`,
      );
      expect(push.stderr).toBe('');
      expect(push.status).toBe(0);
      expect(JSON.parse(push.stdout)).toMatchObject({
        reference: `${reg.host}/models/cli:v1@${pushed.digest}`,
        digest: pushed.digest,
        size: pushed.size,
      });
      const dest = path.join(tmp, `cli-pulled-${auth}`);
      const pull = await run(
        ['pull', `${reg.host}/models/cli:v1`, dest, '--username', reg.username as string, '--password-stdin'],
        reg.password,
      );
      expect(pull.status).toBe(0);
      expect(pull.stdout).toBe(`${reg.host}/models/cli:v1@${pushed.digest}\n`);
      expect(readTree(dest)).toEqual(readTree(model));
      const denied = await run(['pull', `${reg.host}/models/cli:v1`, path.join(tmp, `denied-${auth}`)]);
      expect(denied.status).toBe(2);
      expect(denied.stderr).toMatch(/^modelseal: error\[REGISTRY_AUTH\]: .*\n$/);
    });
  }
});

describe('copy with referrers between a layout and a registry; hostile artifacts from a registry', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'none' });
  });
  afterAll(async () => reg?.close());

  it('copies an artifact and its signature referrer layout -> registry -> layout', async () => {
    const src = path.join(tmp, 'ref-layout');
    const pushed = await pushModel(model, `oci:${src}:v1`);
    const ref = await writeArtifact(
      src,
      '',
      [{ bytes: Buffer.from('{"bundle":1}'), mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }],
      {
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        subject: pushed.descriptor,
        annotations: { 'dev.sigstore.bundle.predicateType': 'https://model_signing/signature/v1.0' },
      },
    );
    const remote = openTarget(`${reg.host}/models/signed:v1`);
    const up = await copy(new LayoutTarget(src), 'v1', remote.target, 'v1');
    expect(up.referrers.map((r) => r.digest)).toEqual([ref.descriptor.digest]);
    const info = await inspectArtifact(`${reg.host}/models/signed:v1`);
    expect(info.descriptor.digest).toBe(pushed.digest);
    expect(info.referrers.map((r) => [r.descriptor.digest, r.artifactType])).toEqual([
      [ref.descriptor.digest, 'application/vnd.dev.sigstore.bundle.v0.3+json'],
    ]);
    const back = path.join(tmp, 'ref-back');
    const down = await copy(remote.target, 'v1', new LayoutTarget(back), 'v1');
    expect(down.referrers.map((r) => r.digest)).toEqual([ref.descriptor.digest]);
    expect((await new LayoutTarget(back).referrers(pushed.descriptor)).map((r) => r.digest)).toEqual([
      ref.descriptor.digest,
    ]);
    expect(readTree(path.join(back, 'blobs'))).toEqual(
      expect.objectContaining({ [`sha256/${ref.descriptor.digest.slice(7)}`]: ref.descriptor.digest }),
    );
  });

  it('skopeo pushes our layout to the registry with the same digest, and modelseal pulls it', async () => {
    const layout = path.join(tmp, 'for-skopeo');
    const pushed = await pushModel(model, `oci:${layout}:v1`);
    await skopeo(
      ['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/models/by-skopeo:v1`],
      reg,
    );
    const dest = path.join(tmp, 'by-skopeo-out');
    const r = await pullModel(`${reg.host}/models/by-skopeo:v1`, dest);
    expect(r.digest).toBe(pushed.digest);
    expect(readTree(dest)).toEqual(readTree(model));
  });

  it('a registry-served artifact with a ../ layer path fails closed with UNSAFE_PATH', async () => {
    const hostile = path.join(tmp, 'hostile-layout');
    await writeArtifact(
      hostile,
      'v1',
      [
        {
          bytes: Buffer.from('root::0:0'),
          mediaType: 'application/vnd.cncf.model.weight.v1.raw',
          annotations: { 'org.cncf.model.filepath': '../../etc/passwd' },
        },
      ],
      {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
      },
    );
    await copy(new LayoutTarget(hostile), 'v1', openTarget(`${reg.host}/models/hostile:v1`).target, 'v1');
    const parent = path.join(tmp, 'hostile-parent');
    mkdirSync(parent);
    await expect(pullModel(`${reg.host}/models/hostile:v1`, path.join(parent, 'm'))).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a blob corrupted in registry storage fails closed with DIGEST_MISMATCH', async () => {
    const pushed = await pushModel(model, `${reg.host}/models/corrupt:v1`);
    const weights = pushed.layers.find((l) => l.path === 'model.safetensors');
    const hex = weights?.digest.slice(7) as string;
    const data = path.join(reg.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    expect(existsSync(data)).toBe(true);
    const bytes = readFileSync(data);
    bytes[10] ^= 1;
    writeFileSync(data, bytes);
    const parent = path.join(tmp, 'corrupt-parent');
    mkdirSync(parent);
    await expect(pullModel(`${reg.host}/models/corrupt:v1`, path.join(parent, 'm'))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(readdirSync(parent)).toEqual([]);
  });
});
