// CycloneDX SBOM rules: the licences of every component (and of the model itself) against the
// policy's allow/deny lists, and the fields the model card must have. A `file` component with no
// licence of its own is one of the model's files (a Hugging Face repository's licence covers its
// files) and is judged by the licence of metadata.component; datasets and base models never inherit.
import { isJsonObject } from '../json-object.js';
import type { PolicyCheck } from './result.js';
import type { ModelPolicy } from './schema.js';
import { licenseViolation } from './spdx-licenses.js';

type SbomRule = NonNullable<ModelPolicy['spec']['require']['sbom']>;
type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (isJsonObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** metadata.component and every component, nested ones included. */
function components(bom: Json): Json[] {
  const out: Json[] = [];
  const visit = (c: unknown) => {
    if (!isJsonObject(c)) return;
    out.push(c);
    list(c.components).forEach(visit);
  };
  visit(obj(bom.metadata).component);
  list(bom.components).forEach(visit);
  return out;
}

/** A component's licence as one SPDX expression, or undefined when it has none or only names. */
function componentLicense(c: Json): string | undefined {
  const parts: string[] = [];
  for (const entry of list(c.licenses)) {
    const e = obj(entry);
    if (typeof e.expression === 'string') parts.push(`(${e.expression})`);
    else if (typeof obj(e.license).id === 'string') parts.push(obj(e.license).id as string);
    else return undefined; // a licence known only by name is not SPDX: unknown
  }
  // Several entries all apply (CycloneDX lists them side by side): read them as AND, the strict choice.
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

const label = (c: Json) =>
  `${typeof c.name === 'string' ? c.name : '(unnamed)'}${typeof c.type === 'string' ? ` (${c.type})` : ''}`;

/** Evaluate one verified CycloneDX BOM. */
export function checkSbom(rule: SbomRule, bomIn: unknown): PolicyCheck[] {
  const bom = obj(bomIn);
  const checks: PolicyCheck[] = [];
  const all = components(bom);
  if (rule.licenses) {
    const { allow, deny, unknown } = rule.licenses;
    let problem: string | undefined;
    const subject = obj(obj(bom.metadata).component);
    const subjectLicense = componentLicense(subject);
    for (const c of all) {
      const own = componentLicense(c);
      const expr = own ?? (c !== subject && c.type === 'file' ? subjectLicense : undefined);
      if (expr === undefined) {
        if (unknown === 'deny') problem = `${label(c)} has no SPDX licence (licenses.unknown: deny)`;
      } else {
        const why = licenseViolation(expr, { allow, deny });
        if (why) problem = `${label(c)}: ${why}`;
      }
      if (problem) break;
    }
    checks.push(
      problem
        ? { name: 'sbom.licenses', passed: false, reason: problem, code: 'LICENSE_DENIED' }
        : { name: 'sbom.licenses', passed: true, reason: `${all.length} component licence(s) allowed` },
    );
  }
  if (rule.modelCard) {
    const models = all.filter((c) => c.type === 'machine-learning-model');
    const missing = (card: Json) =>
      rule.modelCard?.require.filter((path) => isEmpty(fieldAt(card, path))) ?? [];
    const model = models.find((m) => isJsonObject(m.modelCard));
    const gaps = model ? missing(obj(model.modelCard)) : rule.modelCard.require;
    checks.push(
      gaps.length === 0
        ? {
            name: 'sbom.modelCard',
            passed: true,
            reason: `model card has ${rule.modelCard.require.join(', ')}`,
          }
        : {
            name: 'sbom.modelCard',
            passed: false,
            reason: model
              ? `model card lacks ${gaps.join(', ')}`
              : 'no machine-learning-model component with a modelCard',
            code: 'MODEL_CARD_INCOMPLETE',
          },
    );
  }
  return checks;
}

function fieldAt(root: Json, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) v = isJsonObject(v) && Object.hasOwn(v, key) ? v[key] : undefined;
  return v;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}
