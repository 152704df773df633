// Regular expressions from a policy, anchored so that they must match the whole value.
// The pattern is compiled alone first: a pattern such as `a)|(.*` is then rejected instead of
// escaping the `^(?:...)$` wrapper and matching everything.

/** Why a pattern is not a valid regular expression, or undefined when it is. */
export function patternError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Compile `pattern` (Unicode mode) and anchor the compiled source as `^(?:source)$`.
 * Throws a plain Error when the pattern does not compile on its own; policy loading reports that
 * with the line and field before anything calls this.
 */
export function anchorPattern(pattern: string): RegExp {
  const alone = new RegExp(pattern, 'u');
  return new RegExp(`^(?:${alone.source})$`, 'u');
}

/** A value test: an exact string or an anchored regular expression, with a printable form. */
export interface ValueMatcher {
  readonly text: string;
  test(value: string | undefined): boolean;
}

/** Build a matcher from an exact value or a pattern (exactly one is set, checked by the schema). */
export function valueMatcher(exact: string | undefined, pattern: string | undefined): ValueMatcher {
  if (pattern !== undefined) {
    const re = anchorPattern(pattern);
    return { text: `/${re.source}/`, test: (v) => v !== undefined && re.test(v) };
  }
  if (exact === undefined) throw new Error('valueMatcher needs an exact value or a pattern');
  return { text: JSON.stringify(exact), test: (v) => v === exact };
}
