// Bounds on a referrers listing (issue 22): one entry per digest, at most `maxReferrers` of them,
// so a hostile index can neither multiply one bundle nor make a pull fetch without end.
import { ModelsealError } from '../errors.js';
import type { Descriptor } from './target.js';

/** How many distinct referrers of one subject are read by default. */
export const DEFAULT_MAX_REFERRERS = 256;

/**
 * `listed` with every digest kept once (its first entry). Throws USAGE for a `max` that is not a
 * positive integer, TOO_MANY_REFERRERS when more than `max` (default DEFAULT_MAX_REFERRERS) distinct
 * referrers remain: refusing, rather than reading some of them, keeps the verdict independent of the
 * order a registry lists them in.
 */
export function limitReferrers(
  listed: readonly Descriptor[],
  where: { subject: string; location: string },
  max: number = DEFAULT_MAX_REFERRERS,
): Descriptor[] {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new ModelsealError('USAGE', `maxReferrers must be a positive integer, got ${max}`);
  const seen = new Set<string>();
  const kept: Descriptor[] = [];
  for (const d of listed) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    kept.push(d);
  }
  if (kept.length > max)
    throw new ModelsealError(
      'TOO_MANY_REFERRERS',
      `${where.location} lists ${kept.length} distinct referrers of ${where.subject}, more than the limit of ${max}`,
      {
        details: { listed: listed.length, distinct: kept.length, limit: max },
        remedy: { option: 'maxReferrers', action: 'change' },
      },
    );
  return kept;
}
