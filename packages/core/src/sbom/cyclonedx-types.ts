// TypeScript types for the CycloneDX 1.6 fields that @cyclonedx/cyclonedx-library's models lack
// (component `modelCard`, `data`, `pedigree`): we add them to the normalised JSON ourselves and the
// library's strict JSON validator checks the result against the 1.6 schema.

/** `{name, value}` as CycloneDX properties. */
export interface CdxProperty {
  name: string;
  value?: string;
}

/** componentData (only on `type: data` components, or inline in a model card). */
export interface CdxComponentData {
  'bom-ref'?: string;
  type: 'source-code' | 'configuration' | 'dataset' | 'definition' | 'other';
  name?: string;
  contents?: { url?: string; properties?: CdxProperty[] };
  classification?: string;
  description?: string;
}

/** One performance metric of a model card's quantitativeAnalysis. */
export interface CdxPerformanceMetric {
  type?: string;
  value?: string;
  slice?: string;
}

/** The model card of a `machine-learning-model` component (subset we fill). */
export interface CdxModelCard {
  'bom-ref'?: string;
  modelParameters?: {
    approach?: {
      type?: 'supervised' | 'unsupervised' | 'reinforcement-learning' | 'semi-supervised' | 'self-supervised';
    };
    task?: string;
    architectureFamily?: string;
    modelArchitecture?: string;
    datasets?: ({ ref: string } | CdxComponentData)[];
    inputs?: { format: string }[];
    outputs?: { format: string }[];
  };
  quantitativeAnalysis?: { performanceMetrics?: CdxPerformanceMetric[] };
  considerations?: { useCases?: string[]; technicalLimitations?: string[] };
  properties?: CdxProperty[];
}

/** A component in normalised JSON, as far as we read or extend it. */
export interface CdxComponentJson {
  type: string;
  name: string;
  'bom-ref'?: string;
  hashes?: { alg: string; content: string }[];
  purl?: string;
  modelCard?: CdxModelCard;
  data?: CdxComponentData[];
  pedigree?: { ancestors?: CdxComponentJson[]; notes?: string };
  components?: CdxComponentJson[];
  properties?: CdxProperty[];
  [key: string]: unknown;
}

/** A CycloneDX 1.6 BOM in normalised JSON. */
export interface CdxBomJson {
  bomFormat: 'CycloneDX';
  specVersion: string;
  serialNumber?: string;
  version: number;
  metadata?: { component?: CdxComponentJson; [key: string]: unknown };
  components?: CdxComponentJson[];
  /** The dependency graph: each `ref` with the bom-refs it `dependsOn`. */
  dependencies?: { ref: string; dependsOn?: string[] }[];
  [key: string]: unknown;
}
