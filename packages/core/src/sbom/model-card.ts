// What a model carries about itself, for the SBOM's model card: Hugging Face `config.json`
// (architecture, model type, dtype), `generation_config.json`, and the README's YAML front matter
// (license, datasets, base_model, pipeline_tag, language, metrics, model-index results).
import { parse as parseYaml } from 'yaml';
import { isJsonObject } from '../json-object.js';
import type { CdxModelCard, CdxPerformanceMetric, CdxProperty } from './cyclonedx-types.js';

/** Facts read from a model's own files. */
export interface ModelFacts {
  card: CdxModelCard;
  /** README `license` (as written; SPDX mapping happens in the SBOM builder). */
  license?: string;
  /** README `datasets`. */
  datasets: string[];
  /** README `base_model`. */
  baseModels: string[];
}

/** Reads a small file of the model by its relative name; undefined when the model has none. */
export type ReadModelFile = (name: string) => Promise<Buffer | undefined>;

/** The files a model card is read from (fetched from a registry even when weights are not). */
export const MODEL_CARD_FILES = ['config.json', 'generation_config.json', 'README.md'] as const;

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v])
    .filter((x) => typeof x === 'string' || typeof x === 'number')
    .map(String);

function jsonOf(buf: Buffer | undefined): Record<string, unknown> | undefined {
  if (!buf) return undefined;
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    return isJsonObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The YAML front matter of a README (between a leading `---` line and the next), or undefined. */
export function frontMatter(readme: string): Record<string, unknown> | undefined {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(readme);
  if (!m) return undefined;
  try {
    const v: unknown = parseYaml(m[1]);
    return isJsonObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function scalar(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function modelIndexMetrics(v: unknown): CdxPerformanceMetric[] {
  const out: CdxPerformanceMetric[] = [];
  for (const entry of Array.isArray(v) ? v : []) {
    for (const result of isJsonObject(entry) && Array.isArray(entry.results) ? entry.results : []) {
      if (!isJsonObject(result)) continue;
      const dataset = isJsonObject(result.dataset) ? scalar(result.dataset.name) : undefined;
      for (const metric of Array.isArray(result.metrics) ? result.metrics : []) {
        if (!isJsonObject(metric)) continue;
        const type = scalar(metric.type) ?? scalar(metric.name);
        const value = scalar(metric.value);
        if (type) out.push({ type, ...(value ? { value } : {}), ...(dataset ? { slice: dataset } : {}) });
      }
    }
  }
  return out;
}

/** Reads config.json, generation_config.json and README front matter into model-card facts. */
export async function readModelFacts(read: ReadModelFile): Promise<ModelFacts> {
  const config = jsonOf(await read('config.json'));
  const generation = jsonOf(await read('generation_config.json'));
  const readme = await read('README.md');
  const meta = (readme && frontMatter(readme.toString('utf8'))) || {};

  const properties: CdxProperty[] = [];
  const architecture = list(config?.architectures)[0];
  const family = scalar(config?.model_type);
  const dtype = scalar(config?.torch_dtype) ?? scalar(config?.dtype);
  if (dtype) properties.push({ name: 'huggingface:torch_dtype', value: dtype });
  for (const [k, v] of Object.entries(generation ?? {})) {
    const s = scalar(v);
    if (s !== undefined && !k.startsWith('_'))
      properties.push({ name: `huggingface:generation_config.${k}`, value: s });
  }
  for (const lang of list(meta.language)) properties.push({ name: 'huggingface:language', value: lang });

  const measured = modelIndexMetrics(meta['model-index']);
  const named = list(meta.metrics).filter((type) => !measured.some((m) => m.type === type));
  const metrics = [...measured, ...named.map((type) => ({ type }))];
  const task = scalar(meta.pipeline_tag);
  const modelParameters = {
    ...(task ? { task } : {}),
    ...(family ? { architectureFamily: family } : {}),
    ...(architecture ? { modelArchitecture: architecture } : {}),
  };
  const card: CdxModelCard = {
    ...(Object.keys(modelParameters).length ? { modelParameters } : {}),
    ...(metrics.length ? { quantitativeAnalysis: { performanceMetrics: metrics } } : {}),
    ...(properties.length ? { properties } : {}),
  };
  return {
    card,
    license: list(meta.license)[0],
    datasets: list(meta.datasets),
    baseModels: list(meta.base_model),
  };
}
