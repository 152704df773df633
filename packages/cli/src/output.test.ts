import { describe, expect, it } from 'vitest';
import { escapeControl, humanLine } from './output.js';

describe('escapeControl', () => {
  it('shows C0, DEL, C1, line separators and bidi controls visibly', () => {
    expect(escapeControl('a\x1b[2Jb\x07\n\r\t\x00\x7f\x9b')).toBe('a\\x1b[2Jb\\x07\\n\\r\\t\\x00\\x7f\\x9b');
    expect(escapeControl('x\u2028y\u202ez\u2066')).toBe('x\\u2028y\\u202ez\\u2066');
  });
  it('leaves printable text, backslashes and non-Latin names alone', () => {
    expect(escapeControl('modèle/重み\\a.bin 🤖')).toBe('modèle/重み\\a.bin 🤖');
  });
  it('humanLine ends with exactly one newline', () => {
    expect(humanLine('a\nb')).toBe('a\\nb\n');
  });
});
