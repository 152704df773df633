// Every YAML block in the docs (README.md and docs/*.md) is parsed, and every ModelPolicy among
// them is loaded with the real policy schema: a documented policy that stops loading fails here.
// The shell commands of docs/tutorial.md run in documented-commands.test.ts, README.md's in
// readme-commands.test.ts, every other docs/*.md's in every-doc.test.ts.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parsePolicy } from '../../packages/core/src/policy/index.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = [
  'README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The ```yaml fenced blocks of a markdown file, with the line each starts on. */
function yamlBlocks(file: string): { line: number; text: string }[] {
  const lines = readFileSync(path.join(REPO, file), 'utf8').split('\n');
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```ya?ml\s*$/.test(lines[i])) continue;
    const indent = lines[i].indexOf('`');
    const start = i + 1;
    let j = start;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j++;
    out.push({
      line: start + 1,
      text: lines
        .slice(start, j)
        .map((l) => l.slice(indent))
        .join('\n'),
    });
    i = j;
  }
  return out;
}

const blocks = DOCS.flatMap((file) => yamlBlocks(file).map((b) => ({ file, ...b })));

describe('the YAML in the docs', () => {
  it('there is some, including policies', () => {
    expect(blocks.length).toBeGreaterThan(4);
    expect(blocks.some((b) => /kind: ModelPolicy/.test(b.text))).toBe(true);
  });

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('%s parses', (_where, b) => {
    const docs = parseAllDocuments(b.text);
    for (const d of Array.isArray(docs) ? docs : [docs]) expect(d.errors.map((e) => e.message)).toEqual([]);
  });

  const policies = blocks.filter((b) => /^kind: ModelPolicy$/m.test(b.text));
  it.each(policies.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s is a valid ModelPolicy',
    (where, b) => {
      for (const d of b.text.split(/^---$/m).filter((t) => /^kind: ModelPolicy$/m.test(t)))
        expect(() => parsePolicy(d, where)).not.toThrow();
    },
  );
});
