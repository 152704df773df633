// Issue 22: a pull SIGKILLed during its in-place commit into an existing empty DEST (a mounted
// emptyDir). A real `modelseal pull` child moves 4000 top-level files into DEST; the test watches
// DEST and SIGKILLs the child as soon as the commit journal appears (before the completion marker).
// DEST is then half-filled; the next pull must recognise its own unfinished commit from the journal,
// clean it up with the dead pull's staging, and land the model whole with its marker.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt } from '../hardening/cli-process.js';
import { tarOf, writeArtifact } from '../oci/model-fixture.js';

const FILES = 4000;
const name = (i: number): string => `f${String(i).padStart(4, '0')}.bin`;
const body = (i: number): string => `weights of file ${i}\n`;

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-killed-commit-'));
const layout = path.join(tmp, 'layout');
const ref = `oci:${layout}:v1`;

beforeAll(async () => {
  ensureBuilt();
  const tar = await tarOf(Array.from({ length: FILES }, (_, i) => ({ name: name(i), body: body(i) })));
  await writeArtifact(layout, 'v1', [
    {
      bytes: tar,
      mediaType: 'application/vnd.cncf.model.weight.v1.tar',
      annotations: { 'org.cncf.model.filepath': 'weights' },
    },
  ]);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Start a pull into `dest` and SIGKILL it when the commit journal shows up in DEST. DEST is watched
 * with inotify (`fs.watch`): the journal's creation wakes the test within a millisecond, while the
 * commit's renames take tens of milliseconds; no busy polling (which cost ~15 CPU-seconds a run).
 */
async function pullKilledAtJournal(dest: string): Promise<{ killed: boolean; seen: string[] }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const child = spawn(process.execPath, [BIN, 'pull', ref, dest], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const settle = (killed: boolean, seen: string[]): void => {
      settled = true;
      watcher.close();
      if (!killed) return resolve({ killed, seen });
      child.kill('SIGKILL');
      void exited.then(() => resolve({ killed, seen }));
    };
    const check = (): void => {
      if (settled) return;
      const names = readdirSync(dest);
      if (names.some((n) => n.startsWith('.modelseal-committing-')) && !names.includes('.modelseal-complete'))
        settle(true, names);
    };
    const watcher = watch(dest, check);
    watcher.on('error', reject);
    void exited.then(() => {
      if (!settled) settle(false, readdirSync(dest));
    });
    check();
  });
}

describe('SIGKILL at the journal point of an in-place commit', () => {
  it('the next pull cleans up the unfinished commit and lands the model whole', async () => {
    let dest = '';
    let caught: { killed: boolean; seen: string[] } = { killed: false, seen: [] };
    // The kill must land inside the commit window; a pull that finished first is retried on a fresh DEST.
    for (let attempt = 0; attempt < 5 && !caught.killed; attempt++) {
      dest = path.join(tmp, `dest-${attempt}`);
      mkdirSync(dest, { mode: 0o750 });
      caught = await pullKilledAtJournal(dest);
    }
    expect(caught.killed).toBe(true);

    // What the kill left: the journal, the dead pull's staging, some (not all) files, no marker.
    const left = readdirSync(dest);
    const journals = left.filter((n) => n.startsWith('.modelseal-committing-'));
    expect(journals).toHaveLength(1);
    const listed = (JSON.parse(readFileSync(path.join(dest, journals[0]), 'utf8')) as { names: string[] })
      .names;
    expect(listed).toHaveLength(FILES);
    expect(left).not.toContain('.modelseal-complete');
    const moved = left.filter((n) => n.startsWith('f'));
    expect(moved.length).toBeLessThan(FILES);
    expect(moved.every((n) => listed.includes(n))).toBe(true);

    // The retry: exit 0, every file with its bytes, the marker, nothing of the dead pull left.
    const again = spawnSync(process.execPath, [BIN, 'pull', ref, dest], { encoding: 'utf8' });
    expect(again.stderr).toMatch(/pulled 4000 files/);
    expect(again.status).toBe(0);
    const after = readdirSync(dest).sort();
    expect(after).toEqual(
      ['.modelseal-complete', ...Array.from({ length: FILES }, (_, i) => name(i))].sort(),
    );
    for (const i of [0, 1, FILES / 2, FILES - 1])
      expect(readFileSync(path.join(dest, name(i)), 'utf8')).toBe(body(i));
  }, 120_000);

  it('foreign content beside the journal stays DEST_EXISTS and is not touched', async () => {
    let dest = '';
    let caught: { killed: boolean; seen: string[] } = { killed: false, seen: [] };
    for (let attempt = 0; attempt < 5 && !caught.killed; attempt++) {
      dest = path.join(tmp, `foreign-${attempt}`);
      mkdirSync(dest);
      caught = await pullKilledAtJournal(dest);
    }
    expect(caught.killed).toBe(true);
    const foreign = path.join(dest, 'operator-notes.txt');
    spawnSync('sh', ['-c', `printf keep > '${foreign}'`]);
    const before = readdirSync(dest).sort();
    const again = spawnSync(process.execPath, [BIN, 'pull', ref, dest], { encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/error\[DEST_EXISTS\]/);
    // the dead pull's staging goes; its journal, its files and the foreign file stay
    const after = readdirSync(dest).sort();
    expect(after).toEqual(before.filter((n) => !n.startsWith('.modelseal-staging-')));
    expect(readFileSync(foreign, 'utf8')).toBe('keep');
  }, 120_000);
});
