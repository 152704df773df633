import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration-flag.js';

describe('parseDuration', () => {
  it('reads ms, s (the default unit), m and h', () => {
    expect(parseDuration('250ms', '--interval')).toBe(250);
    expect(parseDuration('300', '--interval')).toBe(300_000);
    expect(parseDuration(' 1.5s ', '--interval')).toBe(1500);
    expect(parseDuration('5m', '--interval')).toBe(300_000);
    expect(parseDuration('168h', '--interval')).toBe(7 * 24 * 3_600_000);
  });

  it('refuses what is not a duration from 100ms to 168h, naming the flag (USAGE)', () => {
    for (const bad of ['99ms', '169h', '5d', '-1s', '', 'NaN', '1e3']) {
      expect(() => parseDuration(bad, '--quiet-period')).toThrow(
        expect.objectContaining({
          code: 'USAGE',
          message: `--quiet-period must be a duration from 100ms to 168h (e.g. 30s, 5m), got '${bad}'`,
        }),
      );
    }
  });
});
