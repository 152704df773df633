import { describe, expect, it } from 'vitest';
import type { SignModelResult } from '@modelseal/core';
import { formatSize, rekorEntry } from './summary.js';

const withEntry = (logIndex: string) =>
  ({
    verificationMaterial: { tlogEntries: [{ logIndex }] },
  }) as unknown as SignModelResult['bundle'];

describe('job summary cells', () => {
  it('links a public-good Rekor entry to search.sigstore.dev, names the index elsewhere', () => {
    expect(rekorEntry(withEntry('171234567'), true)).toBe(
      '[171234567](https://search.sigstore.dev/?logIndex=171234567)',
    );
    expect(rekorEntry(withEntry('7'), false)).toBe('log index 7');
    const keyBundle = { verificationMaterial: { tlogEntries: [] } } as unknown as SignModelResult['bundle'];
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
