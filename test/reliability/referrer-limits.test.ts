// Issue 22 #4: referrers are bounded and one bad referrer does not block a good model. A real
// docker-registry (fallback `sha256-<hex>` index, which anyone who can push may rewrite) holds a model
// signed with the fixture key, a 16 MiB junk "bundle" listed 60 times and a referrer whose manifest a
// fault proxy answers 404 for: `verify REF` and `pull --verify` pass on the good signature, name the missing referrer as a
// warning (stderr and --json), read the junk once (peak RSS under /usr/bin/time within 100 MiB of
// `verify --help`; the issue measured 1.08 GiB before), and refuse more distinct referrers than
// --max-referrers / MODELSEAL_MAX_REFERRERS. A referrers API answer above 4 MiB, in one page or over
// several, is MANIFEST_TOO_LARGE against a real socket server.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachBundle } from '../../packages/core/src/source/oci-referrers.js';
import { isModelsealError } from '../../packages/core/src/errors.js';
import { RegistryTarget } from '../../packages/core/src/oci/registry/registry-target.js';
import type { Descriptor } from '../../packages/core/src/oci/target.js';
import { BIN, cliSandbox, ensureBuilt, PASSWORD_ENV, TEST_KEY, TEST_PUB } from '../hardening/cli-process.js';
import { startFaultProxy } from '../registry/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';

const MiB = 1024 * 1024;
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const box = cliSandbox('ms-referrer-limits-');
let reg: RunningRegistry;
let ref: string;
let junk: Descriptor;
let missing: Descriptor;
const closers: (() => Promise<void>)[] = [];

/** Run the CLI under /usr/bin/time (asynchronously: the fault proxy lives in this process). */
function measured(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; peakMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'maxrss-kb=%M', process.execPath, BIN, ...args], {
      cwd: box.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, peakMiB: Number(/maxrss-kb=(\d+)/.exec(stderr)?.[1]) / 1024 }),
    );
  });
}

beforeAll(async () => {
  ensureBuilt();
  reg = await startRegistry({ auth: 'none' });
  const model = path.join(box.dir, 'model');
  mkdirSync(model);
  writeFileSync(path.join(model, 'weights.safetensors'), randomBytes(171));
  const pushed = await box.runAsync(
    ['push', model, `${reg.host}/limits/model:v1`, '--sign', '--key', TEST_KEY],
    PASSWORD_ENV,
  );
  expect(pushed.code, pushed.stderr).toBe(0);

  const target = new RegistryTarget({ registry: reg.host, repository: 'limits/model', credentials: {} });
  closers.push(async () => target.close());
  const subject = await target.resolve('v1');
  // 16 MiB of junk as a bundle referrer: it fetches (its digest matches) and does not parse
  junk = await attachBundle(target, subject, randomBytes(16 * MiB), 'https://sigstore.dev/cosign/sign/v1');
  // a referrer whose manifest the registry (behind the proxy) will never serve
  missing = await attachBundle(target, subject, randomBytes(100), 'https://sigstore.dev/cosign/sign/v1');
  const tag = `sha256-${subject.digest.slice('sha256:'.length)}`;
  const index = JSON.parse((await target.fetchManifest(tag)).bytes.toString()) as { manifests: Descriptor[] };
  expect(index.manifests).toHaveLength(4); // OMS signature, cosign signature, junk, missing
  const junkEntry = index.manifests.find((m) => m.digest === junk.digest)!;
  const hostile = Buffer.from(
    JSON.stringify({ ...index, manifests: [...index.manifests, ...Array<Descriptor>(59).fill(junkEntry)] }),
  );
  await target.pushManifest(
    { mediaType: INDEX, digest: sha256(hostile), size: hostile.length },
    hostile,
    tag,
  );
  const proxy = await startFaultProxy(reg.host);
  closers.push(() => proxy.close());
  proxy.failWith({ path: new RegExp(`/manifests/${missing.digest}$`) }, 404, {}, 1_000_000);
  ref = `${proxy.host}/limits/model:v1`;
}, 120_000);

afterAll(async () => {
  for (const c of closers) await c();
  await reg?.close();
  box.cleanup();
});

describe('referrers: de-duplicated, capped, and skipped when unreadable (issue 22 #4)', () => {
  it('verify REF passes on the good signature, reads the junk once, warns about the missing referrer, in bounded memory', async () => {
    const verify = await measured(['verify', ref, '--key', TEST_PUB, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    const out = JSON.parse(verify.stdout) as {
      verified: boolean;
      signatures: { source: string; verified: boolean; error?: { code: string } }[];
      warnings: string[];
    };
    expect(out.verified).toBe(true);
    expect(out.warnings).toEqual([
      expect.stringMatching(new RegExp(`^referrer ${missing.digest} skipped: `)),
    ]);
    expect(verify.stderr).toContain(`modelseal: warning: referrer ${missing.digest} skipped: `);
    // the junk is one failed check, not sixty
    const junkChecks = out.signatures.filter((s) => s.source === junk.digest);
    expect(junkChecks).toEqual([
      expect.objectContaining({
        verified: false,
        error: expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
      }),
    ]);
    expect(out.signatures.filter((s) => s.verified)).toHaveLength(2);
    const help = await measured(['verify', '--help']);
    expect(help.code).toBe(0);
    console.log(
      `verify REF with a 16 MiB junk bundle listed 60 times: peak RSS ${verify.peakMiB.toFixed(1)} MiB, verify --help ${help.peakMiB.toFixed(1)} MiB`,
    );
    expect(verify.peakMiB - help.peakMiB).toBeLessThan(100);
  }, 120_000);

  it('pull --verify lands the model with the warning in --json', async () => {
    const dest = path.join(box.dir, 'pulled');
    const pull = await box.runAsync(['pull', ref, dest, '--verify', '--key', TEST_PUB, '--json']);
    expect(pull.code, pull.stderr).toBe(0);
    const out = JSON.parse(pull.stdout) as { warnings: string[] };
    expect(out.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^referrer ${missing.digest} skipped: registry .* refused pull of manifest .*: 404 `),
      ),
    ]);
    expect(existsSync(path.join(dest, 'model.sig'))).toBe(true);
  }, 120_000);

  it('inspect REF shows the missing referrer as unreadable, with its code', async () => {
    const r = await box.runAsync(['inspect', ref, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      evidence: { source: string; kind: string; error?: { code: string } }[];
    };
    expect(out.evidence.filter((e) => e.source === missing.digest)).toEqual([
      expect.objectContaining({ kind: 'unreadable', error: expect.objectContaining({ code: 'NOT_FOUND' }) }),
    ]);
    expect(out.evidence.filter((e) => e.source === junk.digest)).toHaveLength(1);
  }, 60_000);

  it('refuses more distinct referrers than --max-referrers or MODELSEAL_MAX_REFERRERS (exit 2), never half of them', async () => {
    const dest = path.join(box.dir, 'refused');
    const flag = await box.runAsync([
      'pull',
      ref,
      dest,
      '--verify',
      '--key',
      TEST_PUB,
      '--max-referrers',
      '3',
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('error[TOO_MANY_REFERRERS]');
    expect(flag.stderr).toContain('lists 4 distinct referrers of sha256:');
    expect(flag.stderr).toContain('more than the limit of 3; choose another --max-referrers');
    expect(existsSync(dest)).toBe(false);
    const env = await box.runAsync(['pull', ref, dest, '--verify', '--key', TEST_PUB], {
      MODELSEAL_MAX_REFERRERS: '2',
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('more than the limit of 2');
    const ok = await box.runAsync(['pull', ref, dest, '--verify', '--key', TEST_PUB, '--max-referrers', '4']);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await box.runAsync(['pull', ref, dest, '--verify', '--key', TEST_PUB], {
      MODELSEAL_MAX_REFERRERS: '0',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "error[USAGE]: MODELSEAL_MAX_REFERRERS must be an integer from 1 to 100000, got '0'",
    );
  }, 120_000);
});

/** A registry whose referrers API answers `pages` index pages of about `pageBytes` each (Link: next). */
async function bigReferrersApi(pageBytes: number, pages: number, declare: boolean): Promise<string> {
  const entry = { mediaType: MANIFEST, digest: `sha256:${'1'.repeat(64)}`, size: 100, artifactType: BUNDLE };
  const per = Math.ceil(pageBytes / JSON.stringify(entry).length);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v2/') return res.writeHead(200).end('{}');
    if (!url.pathname.includes('/referrers/')) return res.writeHead(404).end();
    const page = Number(url.searchParams.get('page') ?? '0');
    const body = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: Array(per).fill(entry) }),
    );
    const headers: Record<string, string> = { 'content-type': INDEX };
    if (declare) headers['content-length'] = String(body.length);
    if (page + 1 < pages) headers.link = `<${url.pathname}?page=${page + 1}>; rel="next"`;
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a referrers listing above 4 MiB is refused (issue 22 #4)', () => {
  const subject: Descriptor = { mediaType: MANIFEST, digest: `sha256:${'2'.repeat(64)}`, size: 10 };
  for (const [name, pageBytes, pages, declare] of [
    ['one declared 5 MiB page', 5 * MiB, 1, true],
    ['one chunked 5 MiB page', 5 * MiB, 1, false],
    ['three pages of 1.5 MiB', 1.5 * MiB, 3, true],
  ] as const) {
    it(name, async () => {
      const host = await bigReferrersApi(pageBytes, pages, declare);
      const target = new RegistryTarget({
        registry: host,
        repository: 'ns/m',
        credentials: {},
        maxReferrers: 100_000,
      });
      closers.push(async () => target.close());
      const e = await target.referrers(subject).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isModelsealError(e) && e.code).toBe('MANIFEST_TOO_LARGE');
      expect((e as Error).message).toBe(
        `the referrers of sha256:${'2'.repeat(64)} in ${host}/ns/m take more than 4194304 bytes to list; not reading them`,
      );
    });
  }

  it('a listing under the cap with one entry repeated is one referrer', async () => {
    const host = await bigReferrersApi(1 * MiB, 2, true);
    const target = new RegistryTarget({ registry: host, repository: 'ns/m', credentials: {} });
    closers.push(async () => target.close());
    expect(await target.referrers(subject)).toHaveLength(1);
  });
});
