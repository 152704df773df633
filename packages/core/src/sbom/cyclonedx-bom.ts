// buildSbom: the one CycloneDX 1.6 ML-BOM builder (the sbom verb feeds it a per-kind SbomSource),
// made with @cyclonedx/cyclonedx-library. The model is `metadata.component` (what the BOM describes): a `machine-learning-model` with its SHA-256 (the OCI
// manifest digest for an artifact, the file's for a one-file model, else the OMS root), a `pkg:oci` purl
// and version for an artifact, and the OMS root as a property. Each file is a `file` component (SHA-256),
// datasets are `data` components, base models `machine-learning-model` components (and pedigree
// ancestors); the model `dependsOn` all of them. The model card, `data` and `pedigree` (missing from
// the library's models) are added to the normalised JSON, and the whole document is validated with
// the library's strict JSON validator (the official 1.6 schema it ships) before it is returned.
import { randomUUID } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import type { CdxBomJson, CdxComponentJson } from './cyclonedx-types.js';
import { readModelFacts, type ReadModelFile } from './model-card.js';
import { TOOL_NAME, toolVersion } from './tool-version.js';

const cdx = lazyModule<typeof import('@cyclonedx/cyclonedx-library')>('@cyclonedx/cyclonedx-library');

/** What an SBOM is built from: a model's files with their SHA-256, and a way to read small ones. */
export interface SbomSource {
  name: string;
  /** The OMS root (sha256 files method), recorded as the `modelseal:oms-root-sha256` property. */
  root?: string;
  /** Every file, relative POSIX path ('.' for a single-file model) and hex SHA-256. */
  files: { name: string; sha256: string }[];
  /** Reads config.json, generation_config.json, README.md when the model has them. */
  read: ReadModelFile;
  /** Extra properties for the model component (e.g. the OCI manifest digest). */
  properties?: Record<string, string>;
  /**
   * The model as a stored OCI artifact: its purl, the component version (the manifest digest, as in
   * the purl) and the hex SHA-256 the purl names (the manifest's). Absent for a directory or file.
   */
  artifact?: { purl: string; version: string; sha256: string };
}

const MODEL_REF = 'model';

function licenseOf(
  value: string,
):
  | InstanceType<ReturnType<typeof cdx>['Models']['LicenseExpression']>
  | InstanceType<ReturnType<typeof cdx>['Models']['NamedLicense']> {
  const { Models, SPDX } = cdx();
  const tokens = value.trim().split(/\s+/);
  const mapped = tokens.map((t) =>
    /^(?:AND|OR|WITH|\(|\))$/i.test(t) ? t.toUpperCase() : (SPDX.fixupSpdxId(t.replace(/[()]/g, '')) ?? null),
  );
  if (mapped.every((t) => t !== null)) return new Models.LicenseExpression(mapped.join(' '));
  return new Models.NamedLicense(value);
}

function validationMessage(errors: unknown): string {
  const first = Array.isArray(errors)
    ? (errors[0] as { instancePath?: string; message?: string })
    : undefined;
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : JSON.stringify(errors);
}

let validator: { validate(json: string): Promise<unknown> } | undefined;

/** Checks a BOM against the CycloneDX 1.6 JSON schema (strict). Throws INVALID_SBOM. */
export async function validateSbom(json: string): Promise<void> {
  const { Validation, Spec } = cdx();
  validator ??= new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  const errors = await validator.validate(json);
  if (errors !== null) {
    throw new ModelsealError(
      'INVALID_SBOM',
      `the CycloneDX 1.6 BOM is invalid: ${validationMessage(errors)}`,
    );
  }
}

/**
 * Builds and validates a CycloneDX 1.6 ML-BOM from an SbomSource (a model's files with their
 * SHA-256 and a reader of its model-card files). Returns the document (serialNumber a fresh
 * urn:uuid). Throws INVALID_SBOM when it does not validate, and what `source.read` throws.
 */
export async function buildSbom(source: SbomSource): Promise<CdxBomJson> {
  const { Models, Enums, Serialize, Spec } = cdx();
  const facts = await readModelFacts(source.read);

  const bom = new Models.Bom();
  bom.serialNumber = `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, TOOL_NAME, { version: toolVersion() }),
  );
  const component = new Models.Component(Enums.ComponentType.MachineLearningModel, source.name, {
    bomRef: MODEL_REF,
    version: source.artifact?.version,
    purl: source.artifact?.purl,
  });
  if (facts.license) component.licenses.add(licenseOf(facts.license));
  if (source.root) component.properties.add(new Models.Property('modelseal:oms-root-sha256', source.root));
  for (const [k, v] of Object.entries(source.properties ?? {}))
    component.properties.add(new Models.Property(k, v));
  const modelSha256 =
    source.artifact?.sha256 ?? (source.files.length === 1 ? source.files[0].sha256 : source.root);
  if (modelSha256) component.hashes.set(Enums.HashAlgorithm['SHA-256'], modelSha256);
  bom.metadata.component = component;
  const dependency = (c: InstanceType<typeof Models.Component>) => {
    bom.components.add(c);
    component.dependencies.add(c.bomRef);
  };
  for (const f of source.files) {
    const file = new Models.Component(Enums.ComponentType.File, f.name, { bomRef: `file:${f.name}` });
    file.hashes.set(Enums.HashAlgorithm['SHA-256'], f.sha256);
    dependency(file);
  }
  const datasetRefs = facts.datasets.map((d) => `dataset:${d}`);
  facts.datasets.forEach((d, i) =>
    dependency(new Models.Component(Enums.ComponentType.Data, d, { bomRef: datasetRefs[i] })),
  );
  for (const b of facts.baseModels) {
    dependency(
      new Models.Component(Enums.ComponentType.MachineLearningModel, b, { bomRef: `base-model:${b}` }),
    );
  }

  const factory = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6);
  const json = factory.makeForBom().normalize(bom, { sortLists: true }) as unknown as CdxBomJson;
  const modelJson = json.metadata?.component;
  if (modelJson?.['bom-ref'] !== MODEL_REF)
    throw new ModelsealError('INVALID_SBOM', 'the model component lost its bom-ref');
  const card = { ...facts.card };
  if (datasetRefs.length)
    card.modelParameters = { ...card.modelParameters, datasets: datasetRefs.map((ref) => ({ ref })) };
  modelJson.modelCard = card;
  // The base models are components (with bom-refs, for dependsOn); the pedigree names them again as
  // ancestors without a bom-ref, since a bom-ref must be unique in the document.
  if (facts.baseModels.length) {
    modelJson.pedigree = {
      ancestors: facts.baseModels.map((b): CdxComponentJson => ({ type: 'machine-learning-model', name: b })),
    };
  }
  for (const c of json.components ?? []) {
    if (c.type === 'data') c.data = [{ type: 'dataset', name: c.name }];
  }
  await validateSbom(JSON.stringify(json));
  return json;
}
