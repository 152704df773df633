// Issue 14 #3 (remainder): scan, watch, attest and verify-attestation print names from the model
// (file names, pickle import names, model and bundle paths) with control characters escaped, so
// ESC, CR and LF can neither drive the terminal nor split a line; --json keeps the exact text.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, PASSWORD_ENV, TEST_KEY, TEST_PUB, cliSandbox, ensureBuilt, signArgs } from './cli-process.js';

const box = cliSandbox('ms-hard-esc2-');
beforeAll(ensureBuilt);
afterAll(box.cleanup);

const EVIL = 'evil\x1b]0;pwned\x07\x1b[2J.bin';
const EVIL_SHOWN = 'evil\\x1b]0;pwned\\x07\\x1b[2J.bin';
const RED = 'm\x1b[31mRED\r';
const RED_SHOWN = 'm\\x1b[31mRED\\r';
/** No raw control character except the newlines that end lines. */
const clean = (s: string) => expect(s).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);

function model(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(box.dir, name);
  mkdirSync(dir);
  for (const [f, body] of Object.entries(files)) writeFileSync(path.join(dir, f), body);
  return name;
}

describe('scan, watch, attest and verify-attestation escape control characters (issue 14 #3)', () => {
  it('scan: file names with ESC/LF/CR and a pickle import named with ESC stay on their lines', () => {
    // protocol 2, GLOBAL 'os\x1b]0;x\x07' 'system', STOP: an import outside the safe list
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cos\x1b]0;x\x07\nsystem\n.', 'latin1'),
    ]);
    const m = model('scan', { [EVIL]: 'w', 'line\nbreak.txt': 'x', 'cr\rname.txt': 'y', 'bad.pkl': pickle });
    const r = box.run(['scan', m]);
    expect(r.code).toBe(1);
    clean(r.stdout);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FILE +FORMAT +SIZE +VERDICT +FLAGGED$/);
    expect(lines.slice(1, 5).map((l) => l.split(/ {2,}/)[0])).toEqual([
      'bad.pkl',
      'cr\\rname.txt',
      EVIL_SHOWN,
      'line\\nbreak.txt',
    ]);
    expect(lines[1]).toContain('os\\x1b]0;x\\x07.system');
    expect(lines.filter((l) => l.startsWith('finding: '))).toHaveLength(1);
    expect(lines.at(-1)).toBe('scan: 4 files scanned, 1 flagged, 1 finding');
    const json = box.run(['scan', m, '--json']);
    expect((JSON.parse(json.stdout) as { path: string }[]).map((f) => f.path)).toContain(EVIL);
  });

  it('watch: the "watching" line escapes the model path', async () => {
    const m = model(RED, { 'w.bin': 'w' });
    expect(box.run(signArgs(m), PASSWORD_ENV).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'watch', m, '--key', TEST_PUB], {
      cwd: box.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no watching line: ${stderr}`)), 60_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    expect(stderr).toBe(`modelseal: watching 1 files of ${RED_SHOWN}\n`);
  });

  it('attest and verify-attestation: the bundle path and the model name are escaped', () => {
    const m = model(`a${RED}`, { 'w.bin': 'w' });
    writeFileSync(path.join(box.dir, 'pred.json'), '{"k":"v"}');
    const a = box.run(['attest', m, '--predicate', 'pred.json', '--key', TEST_KEY], PASSWORD_ENV);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(`${box.dir}/a${RED_SHOWN}.custom.sigstore.json\n`);
    expect(a.stderr).toMatch(
      /^attested https:\/\/cosign\.sigstore\.dev\/attestation\/v1 about sha256:[0-9a-f]{64} \(key\) -> /,
    );
    expect(a.stderr).toContain(`a${RED_SHOWN}.custom.sigstore.json\n`);
    clean(a.stderr);
    const v = box.run(['verify-attestation', m, '--key', TEST_PUB]);
    expect(v.code).toBe(0);
    expect(v.stderr.split('\n')).toHaveLength(2);
    expect(v.stderr).toContain(`(${box.dir}/a${RED_SHOWN}.custom.sigstore.json)\n`);
    clean(v.stderr);
  });
});
