// `scan REF` spools a pickle layer to a private temp file (mkdtemp 0700, file 0600) through the digest
// check, and removes it whatever happens. A real docker-registry holds the model; an HTTP relay speaking
// the distribution protocol in front of it serves the pickle blob in two halves and holds the second
// back until the test has looked at the spool file, then finishes it, corrupts it, cuts the connection,
// or serves more bytes than the descriptor says. TMPDIR points at a directory of this test's own, so
// the spool directory is the only thing that appears there.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushModel } from '../packages/core/src/oci/push-model.js';
import { scan } from '../packages/core/src/scan/scan-model.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-scan-spool-'));
const spoolRoot = path.join(tmp, 'spool-tmp');
const SIZE = 4 * 1024 * 1024;
let registry: RunningRegistry;
let relay: { host: string; server: Server };
let digest = '';
const originalTmpdir = process.env.TMPDIR;

/** A pickle of SIZE bytes: GLOBAL posix.system, then a BINBYTES payload, then the call; flagged when whole. */
function hostilePickle(): Buffer {
  const head = Buffer.from('\x80\x02cposix\nsystem\n', 'latin1');
  const tail = Buffer.from('0X\x02\x00\x00\x00id\x85R.', 'latin1'); // POP the bytes, ('id',), REDUCE
  const payload = SIZE - head.length - tail.length - 5;
  const len = Buffer.alloc(4);
  len.writeUInt32LE(payload);
  return Buffer.concat([head, Buffer.from('B'), len, Buffer.alloc(payload, 0x41), tail]);
}

type Mode = 'whole' | 'corrupt' | 'cut' | 'hold' | 'oversize';
/** How the relay serves the next GETs of the pickle blob; `release` sends the second half. */
const blob = {
  mode: 'whole' as Mode,
  halfSent: undefined as (() => void) | undefined,
  release: undefined as (() => void) | undefined,
  gets: 0,
};

function serveBlob(body: Buffer, res: import('node:http').ServerResponse): void {
  blob.gets++;
  const mode = blob.mode;
  const bytes = Buffer.from(body);
  if (mode === 'corrupt') bytes[bytes.length - 2] ^= 0xff; // same length, the last chunk differs
  const extra = mode === 'oversize' ? Buffer.alloc(256 * 1024, 0x41) : Buffer.alloc(0);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(bytes.length + extra.length),
    'docker-content-digest': digest,
  });
  const half = bytes.length / 2;
  res.write(bytes.subarray(0, half), () => {
    blob.release = () => {
      if (mode === 'cut' || mode === 'hold') {
        res.socket?.destroy();
        return;
      }
      // the rest in 64 KiB pieces, so the spool grows while the test watches it
      let at = half;
      const rest = Buffer.concat([bytes.subarray(half), extra]);
      const next = (): void => {
        if (at - half >= rest.length) return void res.end();
        const piece = rest.subarray(at - half, at - half + 64 * 1024);
        at += piece.length;
        if (!res.write(piece)) res.once('drain', () => setTimeout(next, 2));
        else setTimeout(next, 2);
      };
      next();
    };
    blob.halfSent?.();
  });
}

/** A relay to the registry; GETs of the pickle blob are served by serveBlob. */
async function startRelay(upstream: string) {
  const [host, port] = upstream.split(':');
  const server = createServer((req, res) => {
    const up = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const isBlob = req.method === 'GET' && req.url?.endsWith(`/blobs/${digest}`) === true;
        if (isBlob && blob.mode === 'cut' && blob.gets > 0) {
          // the registry keeps failing: a resumed (Range) or repeated GET gets a 500
          blob.gets++;
          answer.resume();
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"UNKNOWN","message":"storage backend down"}]}');
          return;
        }
        if (isBlob && answer.statusCode === 200) {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => serveBlob(Buffer.concat(chunks), res));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The spool directories under TMPDIR right now, with the modes and sizes of what is in them
 * (an entry the scan removes between the listing and its stat is left out: it is gone). */
function spools(): { dir: string; mode: number; files: { name: string; mode: number; size: number }[] }[] {
  const found: { dir: string; mode: number; files: { name: string; mode: number; size: number }[] }[] = [];
  for (const d of readdirSync(spoolRoot)) {
    const dir = path.join(spoolRoot, d);
    const entry = ifStillThere(() => ({
      dir: d,
      mode: statSync(dir).mode & 0o777,
      files: readdirSync(dir).flatMap((name) => {
        const st = ifStillThere(() => statSync(path.join(dir, name)));
        return st === undefined ? [] : [{ name, mode: st.mode & 0o777, size: st.size }];
      }),
    }));
    if (entry !== undefined) found.push(entry);
  }
  return found;
}

/** `read()`, or undefined when what it reads was removed meanwhile (ENOENT). */
function ifStillThere<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Wait until the relay has sent half the blob and the scan has spooled some of it. */
async function halfWay(): Promise<void> {
  await new Promise<void>((r) => (blob.halfSent = r));
  for (let i = 0; i < 500; i++) {
    const s = spools();
    if (s.length === 1 && s[0].files.length === 1 && s[0].files[0].size > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no spool file appeared: ${JSON.stringify(spools())}`);
}

/** Start a scan of the model through the relay, with the blob served in `mode`. */
function scanThrough(mode: Mode, signal?: AbortSignal) {
  blob.mode = mode;
  blob.gets = 0;
  const running = scan(`${relay.host}/spool/model:v1`, signal ? { signal } : {});
  running.catch(() => undefined); // awaited by each test
  return running;
}

beforeAll(async () => {
  const model = path.join(tmp, 'model');
  mkdirSync(model);
  mkdirSync(spoolRoot, { mode: 0o700 });
  writeFileSync(path.join(model, 'model.pkl'), hostilePickle());
  writeFileSync(path.join(model, 'config.json'), '{"architectures": ["Tiny"]}\n');
  registry = await startRegistry();
  const pushed = await pushModel(model, `${registry.host}/spool/model:v1`);
  digest = pushed.layers.find((l) => l.path === 'model.pkl')!.digest;
  relay = await startRelay(registry.host);
  process.env.TMPDIR = spoolRoot; // os.tmpdir() reads it on each call: the scan spools here
}, 120_000);

afterEach(() => {
  expect(spools()).toEqual([]); // removed, whatever happened
});

afterAll(async () => {
  if (originalTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = originalTmpdir;
  relay?.server.close();
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('scan REF spools a pickle layer privately and always removes it', () => {
  it('mode 0600 in a 0700 directory while it downloads; removed once scanned', async () => {
    const scan = scanThrough('whole');
    await halfWay();
    const [s] = spools();
    expect(s.dir).toMatch(/^modelseal-scan-/);
    expect([s.mode, s.files.map((f) => [f.name, f.mode])]).toEqual([0o700, [['layer', 0o600]]]);
    expect(s.files[0].size).toBeLessThanOrEqual(SIZE / 2);
    blob.release!();
    const r = await scan;
    expect(r.files.map((f) => [f.path, f.format, f.verdict, f.verified])).toEqual([
      ['config.json', 'json', 'clean', true],
      ['model.pkl', 'pickle', 'flagged', true],
    ]);
    expect(r.findings.map((f) => f.message)).toEqual([
      'model.pkl at byte 2: pickle imports posix.system (GLOBAL, runs code)',
    ]);
  });

  it('a blob whose bytes do not match its digest: DIGEST_MISMATCH, the spool removed', async () => {
    const scan = scanThrough('corrupt');
    await halfWay();
    blob.release!();
    await expect(scan).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining('layer model.pkl'),
    });
  });

  it('the registry connection cut mid-blob: the scan fails, the spool removed', async () => {
    const scan = scanThrough('cut');
    await halfWay();
    blob.release!();
    const err = await scan.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'REGISTRY',
      message: expect.stringContaining('500 UNKNOWN (storage backend down)'),
    });
    expect(blob.gets).toBeGreaterThanOrEqual(2); // the resumed GET failed too
  });

  it('aborted while the blob downloads: ABORTED, the spool removed', async () => {
    const controller = new AbortController();
    const scan = scanThrough('hold', controller.signal);
    await halfWay();
    controller.abort();
    await expect(scan).rejects.toMatchObject({ name: expect.stringMatching(/Abort/) });
    blob.release!(); // close the held connection
  });

  it('more bytes than the descriptor size: DIGEST_MISMATCH, never more than the size on disk', async () => {
    const scan = scanThrough('oversize');
    await halfWay();
    let largest = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const s of spools()) for (const f of s.files) largest = Math.max(largest, f.size);
        await new Promise((r) => setImmediate(r));
      }
    })();
    blob.release!();
    const err = await scan.then(
      () => undefined,
      (e: unknown) => e,
    );
    watching = false;
    await watch;
    expect(err).toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining(`is longer than its descriptor's ${SIZE} bytes`),
    });
    expect(largest).toBeGreaterThan(SIZE / 2);
    expect(largest).toBeLessThan(SIZE); // the last chunk is held back until the digest matched
  });
});
