// deploy/falco/modelseal-rules.yaml checked against Falco's documented rules-file schema: every item is
// a rule, macro, list or engine-version requirement with the keys Falco defines; every field in a
// condition or output is one Falco documents (supported fields, Falco >= 0.35); every macro and list a
// condition names is defined. Then each rule is checked for what it must catch.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// yaml is a dependency of @modelseal/core, not of the workspace root: resolve it from there.
const { parse } = createRequire(path.join(repo, 'packages/core/package.json'))('yaml') as {
  parse: (text: string) => unknown;
};
const items = parse(readFileSync(path.join(repo, 'deploy/falco/modelseal-rules.yaml'), 'utf8')) as Record<
  string,
  unknown
>[];

/** Keys Falco's rules-file schema allows per item kind (required ones first). */
const RULE_REQUIRED = ['rule', 'desc', 'condition', 'output', 'priority'];
const RULE_OPTIONAL = [
  'tags',
  'enabled',
  'source',
  'exceptions',
  'append',
  'override',
  'warn_evttypes',
  'skip-if-unknown-filter',
];
const PRIORITIES = [
  'EMERGENCY',
  'ALERT',
  'CRITICAL',
  'ERROR',
  'WARNING',
  'NOTICE',
  'INFORMATIONAL',
  'INFO',
  'DEBUG',
];
/** Fields from Falco's "Supported Fields for Conditions and Outputs" (syscall source) this file may use. */
const FALCO_FIELDS = new Set([
  'evt.type',
  'evt.dir',
  'evt.is_open_write',
  'evt.rawres',
  'evt.res',
  'evt.time',
  'fd.name',
  'fd.typechar',
  'fd.num',
  'fd.ip',
  'fd.snet',
  'fd.sip',
  'fd.sip.name',
  'fd.sport',
  'fd.l4proto',
  'fs.path.name',
  'fs.path.source',
  'fs.path.target',
  'proc.name',
  'proc.cmdline',
  'proc.pname',
  'proc.exepath',
  'user.name',
  'container.id',
  'container.image.repository',
  'k8s.pod.name',
  'k8s.ns.name',
  'k8s.pod.label',
]);
/** Fields that take an argument in brackets. */
const ARG_FIELDS = new Set(['k8s.pod.label']);
const OPERATORS = new Set([
  'and',
  'or',
  'not',
  'in',
  'pmatch',
  'startswith',
  'endswith',
  'contains',
  'exists',
  'glob',
  'intersects',
]);

const rules = items.filter((i) => 'rule' in i);
const macros = new Map(
  items.filter((i) => 'macro' in i).map((i) => [i.macro as string, i.condition as string]),
);
const lists = new Map(items.filter((i) => 'list' in i).map((i) => [i.list as string, i.items as unknown[]]));

/** Field references (`fd.sip.name`, `k8s.pod.label[app]`) in a condition or output, outside quotes. */
function fieldsIn(text: string): string[] {
  const bare = text.replace(/"[^"]*"|'[^']*'/g, '""');
  return [...bare.matchAll(/%?\b([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(\[[^\]]+\])?/g)].map(
    (m) => m[1] + (m[2] ?? ''),
  );
}
/** Bare identifiers that are neither fields nor operators: macro names, list names, event types, constants. */
function namesIn(condition: string): string[] {
  const bare = condition
    .replace(/"[^"]*"|'[^']*'/g, '""')
    .replace(/\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(\[[^\]]+\])?/g, '');
  return [...bare.matchAll(/\b[a-zA-Z_][a-zA-Z0-9_]*\b/g)].map((m) => m[0]).filter((n) => !OPERATORS.has(n));
}
function checkField(f: string): void {
  const arg = /^(.*)\[(.+)\]$/.exec(f);
  if (arg) {
    expect(ARG_FIELDS.has(arg[1]), `${f} takes no argument`).toBe(true);
    return;
  }
  expect(FALCO_FIELDS.has(f), `${f} is not a documented Falco field`).toBe(true);
}

describe('deploy/falco/modelseal-rules.yaml', () => {
  it('every item is a rule, macro, list or required_engine_version with exactly the keys Falco defines', () => {
    expect(Array.isArray(items)).toBe(true);
    for (const item of items) {
      const keys = Object.keys(item);
      if ('rule' in item) {
        for (const k of RULE_REQUIRED) expect(typeof item[k], `${String(item.rule)}: ${k}`).toBe('string');
        for (const k of keys) expect([...RULE_REQUIRED, ...RULE_OPTIONAL]).toContain(k);
        expect(PRIORITIES).toContain(item.priority);
        expect(Array.isArray(item.tags)).toBe(true);
      } else if ('macro' in item) expect(keys.sort()).toEqual(['condition', 'macro']);
      else if ('list' in item) {
        expect(keys.sort()).toEqual(['items', 'list']);
        expect(Array.isArray(item.items)).toBe(true);
      } else expect(keys).toEqual(['required_engine_version']);
    }
    expect(rules).toHaveLength(4);
  });

  it('conditions and outputs use only documented fields, defined macros and defined lists', () => {
    const conditions = [...macros.values(), ...rules.map((r) => r.condition as string)];
    for (const c of conditions) {
      for (const f of fieldsIn(c)) checkField(f);
      for (const n of namesIn(c)) {
        if (n.startsWith('modelseal_'))
          expect(macros.has(n) || lists.has(n), `${n} is not defined`).toBe(true);
        else
          expect(
            /^(open|openat|openat2|rename|renameat|renameat2|chmod|fchmod|fchmodat|fchmodat2|chown|fchown|fchownat|lchown|unlink|unlinkat|rmdir|connect|execve|execveat|true|false|host|EINPROGRESS)$/.test(
              n,
            ),
            `${n} in ${c}`,
          ).toBe(true);
      }
      // lists are only used with `in` / `pmatch`
      for (const m of c.matchAll(/\b(in|pmatch) \((modelseal_\w+)\)/g)) expect(lists.has(m[2])).toBe(true);
    }
    for (const r of rules) {
      const outputs = [...(r.output as string).matchAll(/%([a-z0-9_.]+(?:\[[^\]]+\])?)/g)].map((m) => m[1]);
      expect(outputs.length).toBeGreaterThan(4);
      for (const f of outputs) checkField(f);
      expect(outputs).toEqual(
        expect.arrayContaining(['k8s.pod.name', 'k8s.ns.name', 'container.id', 'proc.cmdline']),
      );
    }
  });

  it('each rule watches inference-server pods for what the threat model names', () => {
    expect(macros.get('modelseal_inference_pod')).toBe(
      '(container.id != host and k8s.pod.label[app] = "inference-server")',
    );
    const cond = (name: string) =>
      (rules.find((r) => r.rule === name)!.condition as string).replace(/\s+/g, ' ').trim();
    expect(cond('Model file written in inference pod')).toBe(
      'modelseal_inference_pod and modelseal_open_write and fd.name pmatch (modelseal_model_paths)',
    );
    const change = cond('Model file renamed, removed or its mode changed in inference pod');
    expect(change).toContain('(modelseal_rename or modelseal_chmod or modelseal_remove)');
    for (const f of ['fs.path.name', 'fs.path.source', 'fs.path.target'])
      expect(change).toContain(`${f} pmatch (modelseal_model_paths)`);
    expect(macros.get('modelseal_chmod')).toMatch(/evt\.type in \(chmod, fchmod, fchmodat/);
    expect(cond('Unexpected outbound connection from inference pod')).toBe(
      'modelseal_inference_pod and modelseal_outbound and not fd.sip in (modelseal_api_gateway_ips) and not fd.sip.name in (modelseal_api_gateway_names)',
    );
    expect(cond('Shell spawned in inference pod')).toBe(
      'modelseal_inference_pod and modelseal_spawned_process and proc.name in (modelseal_shell_binaries)',
    );
    expect(lists.get('modelseal_shell_binaries')).toEqual(
      expect.arrayContaining(['sh', 'bash', 'dash', 'busybox']),
    );
    expect(lists.get('modelseal_model_paths')).toEqual(['/models/']);
  });
});
