// The fenced shell blocks (```sh, ```bash, ```shell, ```console) of a markdown file, each with its
// skip reason and the ```text block that shows its output; console transcripts (`$ cmd` lines, each
// followed by what it prints) turned into a script and its expected lines; and the matcher that
// checks printed output against them; and how a docs run is set up (the CLI as `modelseal` on PATH,
// an environment without ambient credentials, the output split per block). Used by the docs tests
// that run README.md and docs/*.md.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_BIN } from '../cli-process.js';

/** One ```sh block: where it starts, its script, why it is not run, the lines it must print. */
export interface ShellBlock {
  line: number;
  script: string;
  skip?: string;
  expected: string[];
}

/** Fences whose block is shell: run by the docs tests, or skipped with a reason. */
const SHELL_FENCES = new Set(['```sh', '```bash', '```shell', '```console']);

/**
 * The shell blocks of a markdown file (see SHELL_FENCES), each with its skip reason and the ```text
 * block after it; a console transcript's `script` is still the transcript (see `transcript`).
 */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const out: ShellBlock[] = [];
  const fence = (from: number) => {
    let j = from + 1;
    while (j < lines.length && lines[j] !== '```') j++;
    return j;
  };
  for (let i = 0; i < lines.length; i++) {
    if (!SHELL_FENCES.has(lines[i])) continue;
    const end = fence(i);
    let back = i - 1;
    while (back >= 0 && lines[back].trim() === '') back--;
    const skip = /^<!-- docs-test: skip \((.+)\) -->$/.exec(lines[back] ?? '')?.[1];
    let next = end + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    let expected: string[] = [];
    if (lines[next] === '```text') {
      const textEnd = fence(next);
      expected = lines.slice(next + 1, textEnd).filter((l) => l.trim() !== '');
    }
    out.push({ line: i + 1, script: lines.slice(i + 1, end).join('\n'), skip, expected });
    i = end;
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A line without its indentation and tree drawing (`├── `, `│   └── `) or trailing spaces. */
const bare = (l: string) => l.replace(/^[\s│├└─]+/, '').trimEnd();
/** An expected line as a whole-line pattern: `…` matches anything; see bare. */
const linePattern = (l: string) => new RegExp(`^${bare(l).split('…').map(escape).join('.*')}$`);

/** The expected lines not found, in order, among `output`'s lines. */
export function missingLines(expected: string[], output: string): string[] {
  const got = output.split('\n').map(bare);
  let at = 0;
  const missing: string[] = [];
  for (const e of expected) {
    const re = linePattern(e);
    const k = got.findIndex((g, idx) => idx >= at && re.test(g));
    if (k < 0) missing.push(e);
    else at = k + 1;
  }
  return missing;
}

/**
 * A console transcript (its first line starts with `$ `; every `$ cmd` line is followed by what the
 * command prints) as a script that runs each command in turn, a failing one printing `exit code N`
 * instead of stopping the script, and the lines the commands must print, in order. Undefined when
 * `script` is not a transcript.
 */
export function transcript(script: string): { script: string; expected: string[] } | undefined {
  const lines = script.split('\n');
  if (!lines[0]?.startsWith('$ ')) return undefined;
  const commands = lines.filter((l) => l.startsWith('$ ')).map((l) => `${l.slice(2)} || echo "exit code $?"`);
  const expected = lines.filter((l) => !l.startsWith('$ ') && l.trim() !== '');
  return { script: commands.join('\n'), expected };
}

/** Writes `DIR/bin/modelseal`, the built CLI under this Node, and returns `DIR/bin` (for PATH). */
export function cliBinDir(dir: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'modelseal'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
  chmodSync(path.join(bin, 'modelseal'), 0o755);
  return bin;
}

/** This process's environment without ambient signing or registry settings a reader would not have. */
export function docsEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(COSIGN_PASSWORD|MODELSEAL_|SIGSTORE_|GITHUB_|ACTIONS_)/.test(k)) env[k] = v;
  return env;
}

/** What each block printed, from a run whose script echoes `@@block K@@` before block K. */
export function blockOutputs(stdout: string): Map<number, string> {
  const parts = stdout.split(/^@@block (\d+)@@$/m);
  const outputs = new Map<number, string>();
  for (let k = 1; k < parts.length; k += 2) outputs.set(Number(parts[k]), parts[k + 1]);
  return outputs;
}
