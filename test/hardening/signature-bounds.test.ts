// Issue 14 #8: a hostile signature file costs little to refuse. Files above 32 MiB are refused
// before they are read; deeply nested JSON is refused before JSON.parse. Peak RSS (measured by
// /usr/bin/time) stays under 10x the file size.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TEST_PUB, cliSandbox, ensureBuilt } from './cli-process.js';

const box = cliSandbox('ms-hard-bundle-');
const model = path.join(box.dir, 'model');
beforeAll(() => {
  ensureBuilt();
  mkdirSync(model);
  closeSync(openSync(path.join(model, 'w.bin'), 'w'));
});
afterAll(box.cleanup);

/** `bytes` bytes of '[' (written in 1 MiB blocks). */
function brackets(name: string, bytes: number): string {
  const file = path.join(box.dir, name);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1 << 20, '[');
  for (let left = bytes; left > 0; left -= block.length)
    writeSync(fd, block, 0, Math.min(left, block.length));
  closeSync(fd);
  return file;
}

/** Run verify under /usr/bin/time: exit code, stderr without the RSS line, peak RSS in bytes, seconds. */
function verifyMeasured(sig: string) {
  const t0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'maxrss-kb=%M', process.execPath, BIN, 'verify', model, '--key', TEST_PUB, '--signature', sig],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - t0) / 1000;
  const rss = Number(/maxrss-kb=(\d+)/.exec(r.stderr)?.[1]) * 1024;
  const stderr = r.stderr
    .replace(/^Command exited with non-zero status \d+\n/m, '')
    .replace(/maxrss-kb=\d+\n/, '');
  return { code: r.status, stderr, rss, seconds };
}

describe('signature files are bounded (issue 14 #8)', () => {
  it('a 120 MB [[[… file is refused before reading, in well under a second of work and little memory', () => {
    const size = 120 * 1000 * 1000;
    const sig = brackets('huge.sig', size);
    const r = verifyMeasured(sig);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[MALFORMED_BUNDLE]: signature '${sig}' is ${size} bytes, more than the 33554432 a bundle may have\n`,
    );
    expect(r.rss).toBeLessThan(128 * 1048576); // Node itself is ~70 MiB: the file was never read
    console.log(`120 MB refused: peak RSS ${(r.rss / 1048576).toFixed(0)} MiB, ${r.seconds.toFixed(2)} s`);
  });

  it('a 30 MB [[[… file (under the size limit) is refused by the nesting check, peak RSS < 10x its size', () => {
    const size = 30 * 1000 * 1000;
    const sig = brackets('deep.sig', size);
    const r = verifyMeasured(sig);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[MALFORMED_BUNDLE]: ${sig}: not a Sigstore bundle: it nests arrays or objects more than 64 deep\n`,
    );
    expect(r.rss).toBeLessThan(10 * size);
    console.log(
      `30 MB deep refused: peak RSS ${(r.rss / 1048576).toFixed(0)} MiB, ${r.seconds.toFixed(2)} s`,
    );
  });
});
