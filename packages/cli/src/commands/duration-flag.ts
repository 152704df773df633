// A duration flag's value (`--interval`, `--quiet-period`, `--review-timeout`, ...) in milliseconds.
// Its own module so that `push`/`sign --follow` and `admission` parse a duration without loading
// `watch` (and with it the policy engine, zod and yaml).
import { ModelsealError } from '@modelseal/core/hashing';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `300`, `300s`, `5m`, `1h`, `250ms` -> milliseconds; throws USAGE naming `flag` outside 100ms..168h. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's'] : NaN;
  if (!(ms >= 100 && ms <= 7 * 24 * 3_600_000))
    throw new ModelsealError(
      'USAGE',
      `${flag} must be a duration from 100ms to 168h (e.g. 30s, 5m), got '${text}'`,
    );
  return ms;
}
