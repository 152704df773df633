// SLSA provenance v1 rules: builder (and the level it vouches for), buildType, source repository
// and ref, and resolved dependencies (datasets, base models) by URI and pinned digest. The dependency
// allow-list covers every dependency, `git+` source URIs included (the source rule checks them too).
import { isJsonObject } from '../json-object.js';
import { valueMatcher, type ValueMatcher } from './anchored-pattern.js';
import type { PolicyCheck } from './result.js';
import type { ModelPolicy } from './schema.js';

type ProvenanceRule = NonNullable<ModelPolicy['spec']['require']['provenance']>;

interface Dependency {
  uri?: string;
  digest: Record<string, string>;
}

const obj = (v: unknown): Record<string, unknown> => (isJsonObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function dependencies(predicate: Record<string, unknown>): Dependency[] {
  const list = obj(predicate.buildDefinition).resolvedDependencies;
  return (Array.isArray(list) ? list : []).map((d) => {
    const digest = Object.fromEntries(
      Object.entries(obj(obj(d).digest)).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
    return { uri: str(obj(d).uri), digest };
  });
}

/** Sources named by the provenance: externalParameters.workflow and `git+<repo>@<ref>` dependencies. */
function sources(
  predicate: Record<string, unknown>,
  deps: Dependency[],
): { repository: string; ref?: string; dep?: Dependency }[] {
  const found: { repository: string; ref?: string; dep?: Dependency }[] = [];
  const workflow = obj(obj(obj(predicate.buildDefinition).externalParameters).workflow);
  const repo = str(workflow.repository);
  if (repo !== undefined) found.push({ repository: repo, ref: str(workflow.ref) });
  for (const dep of deps) {
    const m = dep.uri?.match(/^git\+(.+?)(?:@([^@]+))?$/);
    if (m) found.push({ repository: m[1], ref: m[2], dep });
  }
  return found;
}

const fail = (name: string, reason: string): PolicyCheck => ({
  name,
  passed: false,
  reason,
  code: 'PROVENANCE_REJECTED',
});
const pass = (name: string, reason: string): PolicyCheck => ({ name, passed: true, reason });

/** Evaluate one verified provenance predicate. Returns its checks and the SLSA level it earns. */
export function checkProvenance(
  rule: ProvenanceRule,
  predicateIn: unknown,
): { checks: PolicyCheck[]; level: number } {
  const predicate = obj(predicateIn);
  const checks: PolicyCheck[] = [];
  const builderId = str(obj(obj(predicate.runDetails).builder).id);
  const builders = rule.builders.map((b) => ({ m: valueMatcher(b.id, b.idRegExp), level: b.maxLevel }));
  const matching = builders.filter((b) => b.m.test(builderId));
  const level = matching.length > 0 ? Math.max(...matching.map((b) => b.level)) : 0;
  checks.push(
    matching.length > 0
      ? pass('provenance.builder', `builder ${builderId} is allowed (SLSA build level ${level})`)
      : fail(
          'provenance.builder',
          `builder ${JSON.stringify(builderId ?? '')} is not one of ${builders.map((b) => b.m.text).join(', ')}`,
        ),
  );
  if (rule.minLevel !== undefined) {
    checks.push(
      level >= rule.minLevel
        ? pass('provenance.level', `SLSA build level ${level} >= ${rule.minLevel}`)
        : fail('provenance.level', `SLSA build level ${level} is below the required ${rule.minLevel}`),
    );
  }
  if (rule.buildTypes) {
    const buildType = str(obj(predicate.buildDefinition).buildType);
    checks.push(
      buildType !== undefined && rule.buildTypes.includes(buildType)
        ? pass('provenance.buildType', `buildType ${buildType} is allowed`)
        : fail(
            'provenance.buildType',
            `buildType ${JSON.stringify(buildType ?? '')} is not one of ${rule.buildTypes.join(', ')}`,
          ),
    );
  }
  const deps = dependencies(predicate);
  const found = sources(predicate, deps);
  if (rule.sources) {
    const rules = rule.sources.map((s) => ({
      repo: valueMatcher(s.repository, s.repositoryRegExp),
      ref: s.ref !== undefined || s.refRegExp !== undefined ? valueMatcher(s.ref, s.refRegExp) : undefined,
    }));
    const ok = (s: { repository: string; ref?: string }) =>
      rules.some((r) => r.repo.test(s.repository) && (r.ref?.test(s.ref) ?? true));
    const bad = found.find((s) => !ok(s));
    checks.push(
      found.length === 0
        ? fail('provenance.source', 'the provenance names no source repository')
        : bad
          ? fail(
              'provenance.source',
              `source ${bad.repository}${bad.ref ? `@${bad.ref}` : ''} is not allowed`,
            )
          : pass(
              'provenance.source',
              `source ${found.map((s) => `${s.repository}@${s.ref ?? '?'}`).join(', ')} is allowed`,
            ),
    );
  }
  if (rule.dependencies) checks.push(checkDependencies(rule.dependencies, deps));
  return { checks, level };
}

function checkDependencies(
  rule: NonNullable<ProvenanceRule['dependencies']>,
  deps: Dependency[],
): PolicyCheck {
  const name = 'provenance.dependencies';
  const allow: { uri: ValueMatcher; digest?: Record<string, string> }[] = rule.allow.map((a) => ({
    uri: valueMatcher(a.uri, a.uriRegExp),
    digest: a.digest,
  }));
  let checked = 0;
  for (const dep of deps) {
    const rules = allow.filter((a) => a.uri.test(dep.uri));
    if (rules.length === 0) {
      if (rule.denyUnlisted)
        return fail(name, `dependency ${dep.uri ?? '(no uri)'} is not in the allow-list`);
      continue;
    }
    const pinned = rules.find(
      (a) =>
        a.digest === undefined ||
        Object.entries(a.digest).every(([alg, hex]) => dep.digest[alg]?.toLowerCase() === hex),
    );
    if (!pinned) {
      const want = rules.flatMap((a) => Object.entries(a.digest ?? {}).map(([alg, hex]) => `${alg}:${hex}`));
      return fail(
        name,
        `dependency ${dep.uri} has digest ${JSON.stringify(dep.digest)}, the policy pins ${want.join(' or ')}`,
      );
    }
    checked++;
  }
  return pass(name, `${checked} dependenc${checked === 1 ? 'y' : 'ies'} allowed`);
}
