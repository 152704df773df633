// Licence rules on SPDX expressions. An expression is acceptable when some choice of its licences
// (OR picks one side, AND needs both) uses only licences that are allowed (when an allow-list is
// given) and not denied: `MIT OR AGPL-3.0-only` passes a deny-list of AGPL, `MIT AND AGPL-3.0-only`
// does not. Parsing is spdx-expression-parse; the choice is spdx-satisfies over the permitted leaves.
import parseSpdx from 'spdx-expression-parse';
import satisfies from 'spdx-satisfies';

/** The licence lists of a policy (validated SPDX licence identifiers, no AND/OR). */
export interface LicenseLists {
  allow?: string[];
  deny?: string[];
}

type Info = parseSpdx.Info;

/** Why `id` is not a single SPDX licence (with optional `+` or `WITH exception`), or undefined. */
export function licenseIdError(id: string): string | undefined {
  let info: Info;
  try {
    info = parseSpdx(id);
  } catch {
    return `not an SPDX licence identifier`;
  }
  return 'conjunction' in info ? 'one licence per entry (no AND/OR); list each separately' : undefined;
}

function leaves(info: Info): string[] {
  if ('conjunction' in info) return [...leaves(info.left), ...leaves(info.right)];
  return [`${info.license}${info.plus ? '+' : ''}${info.exception ? ` WITH ${info.exception}` : ''}`];
}

/** The parsed expression, or undefined when it is not valid SPDX. */
export function parseLicenseExpression(expression: string): string[] | undefined {
  try {
    return leaves(parseSpdx(expression));
  } catch {
    return undefined;
  }
}

const satisfiesAny = (leaf: string, list: string[]): boolean => {
  try {
    return satisfies(leaf, list);
  } catch {
    return false;
  }
};

/**
 * Is `expression` acceptable under `lists`? Returns undefined when it is, or the reason it is not.
 * An expression that does not parse is reported as such (the caller treats it as unknown).
 */
export function licenseViolation(expression: string, lists: LicenseLists): string | undefined {
  const parts = parseLicenseExpression(expression);
  if (!parts) return `${JSON.stringify(expression)} is not a valid SPDX expression`;
  const permitted = [...new Set(parts)].filter(
    (leaf) =>
      (lists.allow === undefined || satisfiesAny(leaf, lists.allow)) &&
      (lists.deny === undefined || !satisfiesAny(leaf, lists.deny)),
  );
  if (permitted.length > 0 && satisfiesAny(expression, permitted)) return undefined;
  const denied = lists.deny ? parts.filter((leaf) => satisfiesAny(leaf, lists.deny ?? [])) : [];
  if (denied.length > 0)
    return `${JSON.stringify(expression)} needs ${denied.join(', ')}, which the policy denies`;
  return `${JSON.stringify(expression)} is not satisfied by the allowed licences`;
}
