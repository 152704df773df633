// Reads a ModelPolicy from YAML or JSON text (JSON is parsed as YAML 1.2, of which it is a subset),
// validates it with the zod schema and reports the first problems with line, column and field path.
import { createHash } from 'node:crypto';
import { isAlias, isMap, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ModelsealError } from '../errors.js';
import { readInputFile } from '../read-input-file.js';
import { modelPolicySchema, type ModelPolicy } from './schema.js';

/** Largest policy file accepted; policies are small, a huge file is a mistake or an attack. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** A validated policy with what identifies it. */
export interface LoadedPolicy {
  policy: ModelPolicy;
  /** `sha256:<hex>` of the exact bytes read: recorded in results and VSAs. */
  digest: string;
  /** Where it came from (a file path, or `<text>`). */
  source: string;
}

type PathKey = string | number;

/** The node at `path`, descending as far as the document goes. */
function nodeAt(
  doc: Document,
  path: PathKey[],
): { node: Node | undefined; keyNode?: Node; complete: boolean } {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
      keyNode = undefined;
      node = node.items[key];
    } else break;
    depth++;
  }
  return { node: (node as Node | null) ?? undefined, keyNode, complete: depth === path.length };
}

function formatPath(path: PathKey[]): string {
  return (
    path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') || '(top level)'
  );
}

/** `line L, column C` of an issue: the unknown key itself, or the field's value. */
function locate(
  doc: Document,
  lines: LineCounter,
  issue: z.core.$ZodIssue,
): { where: string; field: string; message: string } {
  const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  const field = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]] : path;
  const { node, keyNode, complete } = nodeAt(doc, field);
  const at = issue.code === 'unrecognized_keys' ? keyNode : (node ?? keyNode);
  const offset = at?.range?.[0];
  const pos = offset !== undefined ? lines.linePos(offset) : undefined;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys')
    message = 'unknown field (a typo, or a field this apiVersion does not have)';
  else if (issue.code === 'invalid_type' && !complete) message = 'required field is missing';
  return { where: pos ? `line ${pos.line}, column ${pos.col}` : 'line ?', field: formatPath(field), message };
}

/** Most alias uses a policy may expand to; YAML's "billion laughs" needs far more. */
const MAX_ALIAS_COUNT = 50;

/**
 * The document as plain data. An alias bomb (anchors whose aliases expand exponentially) is
 * POLICY_INVALID at the first alias that points at a node holding aliases itself, never expanded.
 */
function toPlain(doc: Document, lines: LineCounter, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError) || !/alias/i.test(e.message)) throw e;
    let first: Node | undefined;
    let nested: Node | undefined;
    visit(doc, {
      Alias(_key, alias) {
        first ??= alias;
        const target = alias.resolve(doc);
        let inner = false;
        if (target) visit(target, { Alias: () => ((inner = true), visit.BREAK) });
        if (inner) {
          nested = alias;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    const at = nested ?? first;
    const offset = at && isAlias(at) ? at.range?.[0] : undefined;
    const pos = offset !== undefined ? lines.linePos(offset) : undefined;
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'line ?';
    throw new ModelsealError(
      'POLICY_INVALID',
      `${source}: ${where}: aliases expand to more than ${MAX_ALIAS_COUNT} nodes (an alias bomb); write the values out instead`,
    );
  }
}

/**
 * Parse and validate a policy from its text. Throws POLICY_INVALID naming the line, column and
 * field of the first problem (and how many more there are); never returns a partial policy.
 */
export function parsePolicy(text: string | Buffer, source = '<text>'): LoadedPolicy {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (bytes.length > MAX_POLICY_BYTES) {
    throw new ModelsealError(
      'POLICY_INVALID',
      `${source}: policy is ${bytes.length} bytes, more than ${MAX_POLICY_BYTES}`,
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(bytes.toString('utf8'), {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lines.linePos(yamlError.pos[0]);
    const msg = yamlError.message.split('\n')[0];
    throw new ModelsealError('POLICY_INVALID', `${source}: line ${pos.line}, column ${pos.col}: ${msg}`);
  }
  if (doc.contents === null) {
    // No document at all (an empty file, only comments): there is no line to point at.
    throw new ModelsealError(
      'POLICY_INVALID',
      `${source}: the policy is empty (no YAML or JSON document); \`modelseal policy init\` prints a commented example`,
    );
  }
  const parsed = modelPolicySchema.safeParse(toPlain(doc, lines, source));
  if (!parsed.success) {
    const issues = parsed.error.issues;
    // Every problem, in one line: fixing them one run at a time is what a new user gave up on.
    const located = issues.map((i) => locate(doc, lines, i));
    const all = located.map(({ where, field, message }) => `${where}: ${field}: ${message}`);
    const count = located.length > 1 ? ` (${located.length} problems)` : '';
    throw new ModelsealError('POLICY_INVALID', `${source}${count}: ${all.join('; ')}`, {
      details: { issues: located },
    });
  }
  return {
    policy: parsed.data,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    source,
  };
}

/** Read and validate a policy file. Throws NOT_FOUND / UNREADABLE / POLICY_INVALID. */
export async function loadPolicy(path: string): Promise<LoadedPolicy> {
  return parsePolicy(await readInputFile(path, 'policy'), path);
}
