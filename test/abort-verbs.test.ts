// AbortSignal on the local long verbs (hashModel, sign, verify, attest) over a real
// generated model and real keys: an abort from onProgress after the first hashed bytes stops the
// hash at once (no progress after it, every hashing worker gone), rejects with the signal's
// AbortError, writes nothing, and the next call hashes normally. An already-aborted signal rejects
// before any work (even before noticing that the model does not exist).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashModel,
  keySigner,
  keyVerifier,
  sign,
  verify,
  type BundleSigner,
} from '../packages/core/src/index.js';
import { attest } from '../packages/core/src/attest/attest.js';
import { liveHashWorkers } from '../packages/core/src/digest/warm-workers.js';
import type { ProgressListener } from '../packages/core/src/types.js';
import { verifiedOnDisk } from './sign-result-kind.js';

const MiB = 1 << 20;
const FILES = 8;
const FILE_BYTES = 8 * MiB; // 64 MiB in all: well past the 4 MiB inline limit, so workers hash
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-abort-'));
const model = path.join(tmp, 'model');
const small = path.join(tmp, 'small');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** The sha256 of each file, computed here with node:crypto: what a finished hash must report. */
const expected: { name: string; digest: string }[] = [];

beforeAll(() => {
  mkdirSync(model);
  for (let i = 0; i < FILES; i++) {
    const data = randomBytes(FILE_BYTES);
    const name = `shard-${i}.bin`;
    writeFileSync(path.join(model, name), data);
    expected.push({ name, digest: createHash('sha256').update(data).digest('hex') });
  }
  mkdirSync(small);
  writeFileSync(path.join(small, 'w.bin'), Buffer.alloc(3 * MiB, 7)); // inline: hashed on the calling thread
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A progress listener that aborts `ac` at the first event reporting hashed bytes, and records all events. */
function abortAtFirstBytes(ac: AbortController): { events: number[]; onProgress: ProgressListener } {
  const events: number[] = [];
  return {
    events,
    onProgress: (e) => {
      events.push(e.bytesDone);
      if (e.bytesDone > 0) ac.abort();
    },
  };
}

function aborted(): AbortSignal {
  const ac = new AbortController();
  ac.abort();
  return ac.signal;
}

describe('hashModel with a signal', () => {
  it('abort after the first hashed bytes: AbortError, no progress after it, no worker left, next hash is right', async () => {
    const ac = new AbortController();
    const { events, onProgress } = abortAtFirstBytes(ac);
    await expect(hashModel(model, { jobs: 3, signal: ac.signal, onProgress })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(events[0]).toBe(0);
    expect(events).toHaveLength(2); // the start event and the one that aborted: nothing after
    expect(events[1]).toBeGreaterThan(0);
    expect(events[1]).toBeLessThan(FILES * FILE_BYTES);
    expect(liveHashWorkers()).toBe(0);

    const m = await hashModel(model, { jobs: 3 });
    expect(m.resources).toEqual(expected.map((e) => ({ ...e, algorithm: 'sha256' })));
    expect(liveHashWorkers()).toBe(0);
  }, 60_000);

  it('abort while the calling thread hashes a small model alone: stops after the current read', async () => {
    const ac = new AbortController();
    const { events, onProgress } = abortAtFirstBytes(ac);
    await expect(hashModel(small, { signal: ac.signal, onProgress })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(events).toEqual([0, MiB]); // one 1 MiB read of the 3 MiB file, then the abort
  });

  it('an abort from outside (a timer) while one big file hashes, --jobs 1: the calling thread sees it', async () => {
    // One 1 GiB file in one batch, hashed by the calling thread alone (no worker thread at all): it
    // hashes in slices with a turn of the event loop between them, so the timer the abort waits on
    // runs within a slice, and the hash stops there.
    const big = path.join(tmp, 'big');
    mkdirSync(big);
    writeFileSync(path.join(big, 'sparse.bin'), '');
    truncateSync(path.join(big, 'sparse.bin'), 1 << 30);
    const ac = new AbortController();
    const events: number[] = [];
    let maxWorkers = 0;
    const onProgress: ProgressListener = (e) => {
      events.push(e.bytesDone);
      maxWorkers = Math.max(maxWorkers, liveHashWorkers());
      if (e.bytesDone > 0 && events.length === 2) setTimeout(() => ac.abort(), 1);
    };
    await expect(hashModel(big, { jobs: 1, signal: ac.signal, onProgress })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(maxWorkers).toBe(0);
    expect(events.at(-1)).toBeLessThan(1 << 27); // stopped within the first few 32 MiB slices
    expect(liveHashWorkers()).toBe(0);
  }, 60_000);

  it('with a signal, the calling thread still hashes big files: --jobs 2 starts one worker, not two', async () => {
    // 3 sparse files of 48 MiB (more than a slice), each its own batch. The calling thread takes
    // batches from the back while one worker takes them from the front: a second worker (RSS
    // +10 MiB) would mean the calling thread kept off the big files.
    const three = path.join(tmp, 'three');
    mkdirSync(three);
    const names = ['a.bin', 'b.bin', 'c.bin'];
    for (const name of names) {
      writeFileSync(path.join(three, name), '');
      truncateSync(path.join(three, name), 48 * MiB);
    }
    const zeros = createHash('sha256')
      .update(Buffer.alloc(48 * MiB))
      .digest('hex');
    let maxWorkers = 0;
    const timer = setInterval(() => (maxWorkers = Math.max(maxWorkers, liveHashWorkers())), 1);
    const m = await hashModel(three, {
      jobs: 2,
      signal: new AbortController().signal,
      onProgress: () => (maxWorkers = Math.max(maxWorkers, liveHashWorkers())),
    });
    clearInterval(timer);
    expect(m.resources).toEqual(names.map((name) => ({ name, digest: zeros, algorithm: 'sha256' })));
    expect(maxWorkers).toBe(1);
    expect(liveHashWorkers()).toBe(0);
  }, 60_000);

  it('the reason given to abort() is what it rejects with', async () => {
    const ac = new AbortController();
    const reason = new Error('stop now');
    const p = hashModel(model, {
      jobs: 2,
      signal: ac.signal,
      onProgress: (e) => e.bytesDone > 0 && ac.abort(reason),
    });
    await expect(p).rejects.toBe(reason);
    expect(liveHashWorkers()).toBe(0);
  }, 60_000);

  it('an already-aborted signal rejects before any work: no walk, no progress', async () => {
    const events: number[] = [];
    await expect(
      hashModel(path.join(tmp, 'does-not-exist'), {
        signal: aborted(),
        onProgress: (e) => events.push(e.bytesDone),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(events).toEqual([]);
    expect(liveHashWorkers()).toBe(0);
  });
});

/** A real key signer that counts its calls. */
function countingSigner(): BundleSigner & { calls: number } {
  const inner = keySigner({ privateKey });
  const s = {
    kind: 'key' as const,
    calls: 0,
    async signStatement(statement: Buffer, payloadType: string) {
      s.calls++;
      return inner.signStatement(statement, payloadType);
    },
  };
  return s;
}

describe('sign with a signal', () => {
  it('abort mid-hash: AbortError, the signer is never called, the model directory is unchanged', async () => {
    const ac = new AbortController();
    const signer = countingSigner();
    const before = readdirSync(model).sort();
    await expect(
      sign(model, { signer, jobs: 3, signal: ac.signal, onProgress: abortAtFirstBytes(ac).onProgress }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(signer.calls).toBe(0);
    expect(readdirSync(model).sort()).toEqual(before); // no model.sig, no temporary file
    expect(liveHashWorkers()).toBe(0);
  }, 60_000);

  it('abort while the signer works (it never answers): rejects at once, nothing written', async () => {
    const ac = new AbortController();
    let calls = 0;
    const stuck: BundleSigner = {
      kind: 'keyless',
      signStatement: () => {
        calls++;
        setImmediate(() => ac.abort()); // e.g. Ctrl-C while a browser sign-in waits
        return new Promise(() => {});
      },
    };
    await expect(sign(small, { signer: stuck, signal: ac.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls).toBe(1);
    expect(readdirSync(small)).toEqual(['w.bin']);
  });

  it('an already-aborted signal rejects before any work: nothing hashed, signed or written', async () => {
    const signer = countingSigner();
    const events: number[] = [];
    await expect(
      sign(small, { signer, signal: aborted(), onProgress: (e) => events.push(e.bytesDone) }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect([signer.calls, events]).toEqual([0, []]);
    expect(readdirSync(small)).toEqual(['w.bin']);
  });
});

describe('verify with a signal', () => {
  const sig = path.join(tmp, 'model.sig');
  beforeAll(async () => {
    await sign(model, { signer: keySigner({ privateKey }), signaturePath: sig, jobs: 3 });
  }, 60_000);

  it('abort mid-hash: AbortError, no worker left; the same verification then passes', async () => {
    const verifier = keyVerifier({ publicKey });
    const ac = new AbortController();
    const { events, onProgress } = abortAtFirstBytes(ac);
    await expect(
      verify(model, { verifier, signaturePath: sig, jobs: 3, signal: ac.signal, onProgress }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(events).toHaveLength(2);
    expect(liveHashWorkers()).toBe(0);

    const r = verifiedOnDisk(await verify(model, { verifier, signaturePath: sig, jobs: 3 }));
    expect([r.verified, r.files]).toEqual([true, FILES]);
  }, 60_000);

  it('an already-aborted signal rejects before reading the signature', async () => {
    await expect(
      verify(model, {
        verifier: keyVerifier({ publicKey }),
        signaturePath: path.join(tmp, 'no-such.sig'),
        signal: aborted(),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('attest (a model directory) with a signal', () => {
  it('abort mid-hash: AbortError and no attestation file', async () => {
    const ac = new AbortController();
    const output = path.join(tmp, 'model.att.sigstore.json');
    await expect(
      attest(model, {
        signer: keySigner({ privateKey }),
        predicateType: 'https://example.com/predicate/v1',
        predicate: { ok: true },
        output,
        jobs: 3,
        signal: ac.signal,
        onProgress: abortAtFirstBytes(ac).onProgress,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(tmp).filter((f) => f.includes('att') || f.startsWith('.modelseal-'))).toEqual([]);
    expect(liveHashWorkers()).toBe(0);
  }, 60_000);
});
