// Parses `WWW-Authenticate` challenges (RFC 7235 auth-params with quoted strings) and token scopes.

export interface AuthChallenge {
  /** Lower-cased auth scheme, e.g. `basic` or `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/** Parse the first challenge of a WWW-Authenticate header; undefined when absent or unreadable. */
export function parseChallenge(header: string | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  const params: Record<string, string> = {};
  let rest = m[2];
  const param = /^\s*,?\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*)\s*/s;
  for (;;) {
    const p = param.exec(rest);
    if (!p || p[0].length === 0) break;
    const value = p[3] !== undefined ? p[3].replace(/\\(.)/g, '$1') : p[2];
    params[p[1].toLowerCase()] = value;
    rest = rest.slice(p[0].length);
  }
  return { scheme, params };
}

/** Scope string for a repository with the given actions, e.g. `repository:ns/model:pull,push`. */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

/** Merge scopes: same resource name -> union of actions. Returns a sorted list (stable cache key). */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const s of scopes.flatMap((x) => x.split(' ')).filter(Boolean)) {
    const idx = s.lastIndexOf(':');
    if (idx <= 0) {
      byResource.set(s, byResource.get(s) ?? new Set());
      continue;
    }
    const resource = s.slice(0, idx);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of s.slice(idx + 1).split(',')) if (a) set.add(a);
    byResource.set(resource, set);
  }
  return [...byResource.entries()]
    .map(([resource, actions]) => (actions.size ? `${resource}:${[...actions].sort().join(',')}` : resource))
    .sort();
}
