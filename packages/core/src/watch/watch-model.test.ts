// Drift detection on a real directory signed with a real key: writes, added and removed files, mode
// changes and restores are reported once each; only files whose stamp changed are re-hashed.
import { appendFileSync, chmodSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyPair } from '../keys/generate-key-pair.js';
import { keySigner } from '../sign/key-signer.js';
import { sign } from '../sign/sign.js';
import { keyVerifier } from '../verify/key-verifier.js';
import type { DriftEvent } from './drift-event.js';
import type { CheckSummary } from './drift-tracker.js';
import { checkModelDrift, watchModel } from './watch-model.js';

const keys = newKeyPair();
const verifier = keyVerifier({ publicKey: keys.publicKey });
let tmp: string;

async function signedModel(name: string): Promise<string> {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{"a": 1}\n');
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(300_000, 3));
  writeFileSync(join(dir, 'sub/tokenizer.json'), '{}\n');
  await sign(dir, { signer: keySigner({ privateKey: keys.privateKey }) });
  return dir;
}
const brief = (events: DriftEvent[]) => events.map((e) => [e.path, e.change]);

beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'modelseal-watch-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('checkModelDrift (--once)', () => {
  it('an untouched model has no drift; every kind of change is one event', async () => {
    const dir = await signedModel('once');
    expect(await checkModelDrift(dir, { verifier })).toEqual([]);
    appendFileSync(join(dir, 'config.json'), ' ');
    writeFileSync(join(dir, 'sub/extra.py'), 'import os\n');
    unlinkSync(join(dir, 'sub/tokenizer.json'));
    const events = await checkModelDrift(dir, { verifier });
    expect(brief(events)).toEqual([
      ['sub/extra.py', 'added'],
      ['sub/tokenizer.json', 'removed'],
      ['config.json', 'modified'],
    ]);
    expect(events[2].detail).toMatch(/^content differs from the signature \(now [0-9a-f]{16}\.\.\.\)$/);
    expect(Number.isNaN(Date.parse(events[0].time))).toBe(false);
  });

  it('a signature made with another key is refused before any check', async () => {
    const dir = await signedModel('wrong-key');
    const other = keyVerifier({ publicKey: newKeyPair().publicKey });
    await expect(checkModelDrift(dir, { verifier: other })).rejects.toMatchObject({ code: 'WRONG_KEY' });
  });
});

describe('watchModel', () => {
  it('reports writes, added and removed files, chmod and restores as they happen; re-hashes only what changed', async () => {
    const dir = await signedModel('live');
    const events: DriftEvent[] = [];
    const checks: [string, CheckSummary][] = [];
    const controller = new AbortController();
    let wake: () => void = () => undefined;
    const nextCheck = () => new Promise<void>((r) => (wake = r));
    let ready = nextCheck();
    const done = watchModel(dir, {
      verifier,
      debounceMs: 50,
      intervalMs: 3_600_000,
      signal: controller.signal,
      onDrift: (e) => events.push(e),
      onCheck: (kind, s) => {
        checks.push([kind, s]);
        wake();
      },
    });
    await ready;
    expect(checks[0][0]).toBe('initial');
    expect(checks[0][1].rehashed).toBe(3);
    expect(events).toEqual([]);

    // Each change below causes drift, so the check that saw it is the first one with events (a late
    // duplicate file-system event may run an empty check first).
    const step = async (change: () => void): Promise<CheckSummary> => {
      const from = checks.length;
      change();
      for (;;) {
        ready = nextCheck();
        const hit = checks.slice(from).find(([, s]) => s.events.length > 0);
        if (hit) return hit[1];
        await ready;
      }
    };
    const write = await step(() => appendFileSync(join(dir, 'weights.bin'), 'x'));
    expect([write.rehashed, brief(write.events)]).toEqual([1, [['weights.bin', 'modified']]]);
    const add = await step(() => writeFileSync(join(dir, 'sub/backdoor.py'), 'import os\n'));
    expect([add.rehashed, brief(add.events)]).toEqual([0, [['sub/backdoor.py', 'added']]]);
    const chmod = await step(() => chmodSync(join(dir, 'config.json'), 0o666));
    expect(brief(chmod.events)).toEqual([['config.json', 'mode']]);
    expect(chmod.events[0].detail).toBe('0644 -> 0666');
    const remove = await step(() => unlinkSync(join(dir, 'sub/tokenizer.json')));
    expect(brief(remove.events)).toEqual([['sub/tokenizer.json', 'removed']]);
    const restore = await step(() => writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(300_000, 3)));
    expect(brief(restore.events)).toEqual([['weights.bin', 'restored']]);

    controller.abort();
    await done;
    expect(brief(events)).toEqual([
      ['weights.bin', 'modified'],
      ['sub/backdoor.py', 'added'],
      ['config.json', 'mode'],
      ['sub/tokenizer.json', 'removed'],
      ['weights.bin', 'restored'],
    ]);
  });

  it('a write that puts size and mtime back is found by the interval re-hash, which re-hashes every file', async () => {
    const dir = await signedModel('sneaky');
    const checks: [string, CheckSummary][] = [];
    const controller = new AbortController();
    const { statSync, utimesSync } = await import('node:fs');
    const file = join(dir, 'weights.bin');
    const done = watchModel(dir, {
      verifier,
      debounceMs: 3_600_000, // events effectively off: only the interval checks
      intervalMs: 400,
      signal: controller.signal,
      onDrift: () => undefined,
      onCheck: (kind, s) => void checks.push([kind, s]),
    });
    while (checks.length < 1) await new Promise((r) => setTimeout(r, 20));
    const st = statSync(file);
    writeFileSync(file, Buffer.alloc(300_000, 4));
    utimesSync(file, st.atime, st.mtime);
    while (!checks.some(([k, s]) => k === 'interval' && s.events.length > 0))
      await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await done;
    const hit = checks.find(([k, s]) => k === 'interval' && s.events.length > 0)![1];
    expect([hit.rehashed, brief(hit.events)]).toEqual([3, [['weights.bin', 'modified']]]);
  });
});

describe('watchModel debounce (issue 22 #5)', () => {
  it('a writer touching an ignored file every 100 ms does not hold back a weight change past 2 s', async () => {
    const dir = await signedModel('starved');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, '.git'));
    const events: DriftEvent[] = [];
    const controller = new AbortController();
    let ready: () => void = () => undefined;
    const initial = new Promise<void>((r) => (ready = r));
    let drifted: (at: number) => void = () => undefined;
    const seen = new Promise<number>((r) => (drifted = r));
    const done = watchModel(dir, {
      verifier,
      debounceMs: 300, // longer than the writer's period: one shared timer would never fire
      intervalMs: 3_600_000,
      signal: controller.signal,
      onDrift: (e) => {
        events.push(e);
        drifted(Date.now());
      },
      onCheck: (kind) => kind === 'initial' && ready(),
    });
    await initial;
    let n = 0;
    const writer = setInterval(() => writeFileSync(join(dir, '.git/index'), String(n++)), 100);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const changedAt = Date.now();
      appendFileSync(join(dir, 'weights.bin'), 'x');
      const at = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(-1), 6000))]);
      expect(at, 'the weight change was never reported').toBeGreaterThan(0);
      // 300 ms of quiet on weights.bin, well inside the 2 s maximum (slack for a loaded machine)
      expect(at - changedAt).toBeLessThan(2500);
      expect(brief(events)).toEqual([['weights.bin', 'modified']]);
    } finally {
      clearInterval(writer);
      controller.abort();
      await done;
    }
  });

  it('a file written without pause is still checked within maxDelayMs', async () => {
    const dir = await signedModel('busy');
    const controller = new AbortController();
    let ready: () => void = () => undefined;
    const initial = new Promise<void>((r) => (ready = r));
    let drifted: (at: number) => void = () => undefined;
    const seen = new Promise<number>((r) => (drifted = r));
    const done = watchModel(dir, {
      verifier,
      debounceMs: 300,
      maxDelayMs: 1000,
      intervalMs: 3_600_000,
      signal: controller.signal,
      onDrift: () => drifted(Date.now()),
      onCheck: (kind) => kind === 'initial' && ready(),
    });
    await initial;
    const changedAt = Date.now();
    // the drifting file itself never goes quiet for 300 ms
    const writer = setInterval(() => appendFileSync(join(dir, 'config.json'), ' '), 50);
    try {
      const at = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(-1), 6000))]);
      expect(at, 'the change was never reported').toBeGreaterThan(0);
      expect(at - changedAt).toBeLessThan(2000);
    } finally {
      clearInterval(writer);
      controller.abort();
      await done;
    }
  });
});
