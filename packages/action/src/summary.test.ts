import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { SignResult } from '@modelseal/core';
import { formatSize, rekorEntry, writeSummary } from './summary.js';

const withEntry = (logIndex: string) =>
  ({
    verificationMaterial: { tlogEntries: [{ logIndex }] },
  }) as unknown as SignResult['bundle'];

describe('job summary cells', () => {
  it('links a public-good Rekor entry to search.sigstore.dev, names the index elsewhere', () => {
    expect(rekorEntry(withEntry('171234567'), true)).toBe(
      '[171234567](https://search.sigstore.dev/?logIndex=171234567)',
    );
    expect(rekorEntry(withEntry('7'), false)).toBe('log index 7');
    const keyBundle = { verificationMaterial: { tlogEntries: [] } } as unknown as SignResult['bundle'];
    expect(rekorEntry(keyBundle, true)).toBeUndefined();
  });

  it('sizes in binary units with the exact byte count', () => {
    expect(formatSize(0)).toBe('0 bytes');
    expect(formatSize(1023)).toBe('1023 bytes');
    expect(formatSize(1536)).toBe('1.5 KiB (1536 bytes)');
    expect(formatSize(6 * 1024 * 1024 + 1)).toBe('6.0 MiB (6291457 bytes)');
    expect(formatSize(3 * 1024 ** 3)).toBe('3.0 GiB (3221225472 bytes)');
  });
});

describe('the job summary as GitHub renders it (GFM)', () => {
  it('is a heading and a real <table>, not raw pipes inside the HTML block', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ms-summary-')), 'summary.md');
    writeFileSync(file, '');
    const saved = process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_STEP_SUMMARY = file;
    try {
      await writeSummary('modelseal: signed', [
        ['OMS root', '`sha256:ab`'],
        ['Referrers', 'OMS signature `sha256:cd`<br>SBOM `sha256:ef`'],
        ['Pipe | and\nnewline', 'a|b'],
      ]);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = saved;
    }
    const markdown = readFileSync(file, 'utf8');
    // GitHub renders job summaries as GFM with raw HTML allowed: markdown-it with html is that.
    const html = new MarkdownIt({ html: true }).render(markdown);
    expect(html).toContain('<h3>modelseal: signed</h3>');
    expect(html).toContain('<table>');
    expect(html).not.toContain('| --- |');
    expect(html).toContain('<td>OMS root</td>\n<td><code>sha256:ab</code></td>');
    expect(html).toContain('<td>Pipe | and newline</td>\n<td>a|b</td>');
    expect(html.match(/<tr>/g)).toHaveLength(4); // the empty header row and three rows
  });
});
