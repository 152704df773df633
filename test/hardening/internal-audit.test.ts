// Issue 14 #12: INTERNAL is reachable only by a real bug. Every place that can produce it, and
// every untyped `throw new Error` in the shipped sources, is listed here with the reason it is an
// invariant rather than bad input; a new one fails this test until it is typed or justified.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './cli-process.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts'))
    .map((d) => path.relative(REPO, path.join(d.parentPath, d.name)));
}

const FILES = [
  ...sources(path.join(REPO, 'packages/core/src')),
  ...sources(path.join(REPO, 'packages/cli/src')),
];

function occurrences(re: RegExp): string[] {
  const out: string[] = [];
  for (const f of FILES) {
    const text = readFileSync(path.join(REPO, f), 'utf8');
    for (const m of text.matchAll(re)) out.push(`${f}: ${m[0]}`);
  }
  return out.sort();
}

/** Untyped throws, each an invariant of the code (not reachable from user input). */
const UNTYPED_THROWS: Record<string, string> = {
  "packages/core/src/digest/hash-worker.ts: throw new Error('hash-worker must run as a worker thread')":
    'the module is only ever loaded as a worker by the pool',
  "packages/core/src/policy/anchored-pattern.ts: throw new Error('valueMatcher needs an exact value or a pattern')":
    'callers pass one of the two; the schema guarantees it',
  'packages/core/src/policy/match-identity.ts: throw new Error(`identity ${name} has no kind`)':
    'identities are validated by the zod schema before matching',
  "packages/core/src/digest/blake3.ts: throw new Error('the native BLAKE3 module does not load on this platform')":
    'only when a caller forces the native implementation; the default picks it only when it loads',
  'packages/core/src/verify/fulcio-extensions.ts: throw new Error(`Fulcio extension is not a DER UTF8String (tag 0x${obj.tag.number.toString(16)})`)':
    'caught by the Sigstore verifier and reported as EXTENSION_MISMATCH',
};

/** Where the CLI (or a JSON result) can say INTERNAL: only for errors that are not ModelsealErrors. */
const INTERNAL_SITES = [
  "packages/cli/src/commands/attest.ts: 'INTERNAL'",
  "packages/cli/src/commands/verify.ts: 'INTERNAL'",
  "packages/core/src/attest/verify-attestation.ts: 'INTERNAL'",
  'packages/cli/src/output.ts: error[INTERNAL]',
];

describe('INTERNAL is only for real bugs (issue 14 #12)', () => {
  it('every untyped throw in the shipped sources is a listed invariant', () => {
    const found = occurrences(/throw new (?:Type|Range)?Error\([^;]*\)/g);
    expect(found).toEqual(Object.keys(UNTYPED_THROWS).sort());
  });

  it('INTERNAL is produced only where an untyped error is printed', () => {
    expect(occurrences(/'INTERNAL'|error\[INTERNAL\]/g)).toEqual([...INTERNAL_SITES].sort());
  });
});
