// The `provenance` verb: a SLSA v1 provenance statement about a model source from what a user names.
// The subjects come from the one rule in statement-subjects.ts (a model on disk: its OMS root; an
// artifact: its manifest digest, then its OMS root, from the manifest alone); provenanceStatement then
// digests datasets, base models and byproducts, reads parameters and the git checkout, and picks
// GitHub's buildType on GitHub Actions (or when asked), else ml-training.
import { ModelsealError } from '../errors.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { ModelSource } from '../source/open-model-source.js';
import { resolveModelSource } from '../source/resolve-model-source.js';
import { sourceSubjects } from '../source/statement-subjects.js';
import { githubBuildClaims, onGithubActions, type GithubProvenanceEnv } from './github-claims.js';
import type { StatementSubject } from '../in-toto/statement.js';
import { buildProvenance, type BuildProvenanceOptions } from './provenance.js';
import {
  byproduct,
  digestedInput,
  gitSource,
  parseParameter,
  readParametersFile,
} from './provenance-inputs.js';

/**
 * Inputs of provenance() and provenanceStatement(): datasets, base models, parameters, byproducts,
 * times, builder, invocation and buildType (default auto: github on GitHub Actions, else
 * ml-training); for an artifact the registry options.
 */
export interface ProvenanceOptions extends OpenTargetOptions {
  /** `NAME=URI@sha256:HEX` or a directory to hash; repeatable. */
  datasets?: string[];
  /** Same forms as datasets. */
  baseModels?: string[];
  /** `k=v` training parameters (override the parameters file). */
  parameters?: string[];
  /** YAML or JSON mapping of training parameters. */
  parametersFile?: string;
  /** Files (metrics, logs) recorded with their sha256. */
  byproducts?: string[];
  startedOn?: Date;
  finishedOn?: Date;
  builderId?: string;
  invocationId?: string;
  /** Default 'auto': GitHub's buildType when GITHUB_ACTIONS=true, else ml-training. */
  buildType?: 'auto' | 'github' | 'ml-training';
  /** Git checkout of the training code (default: the current directory); false to record none. */
  sourceDir?: string | false;
  /**
   * Told (one line) when the statement records no training code because `sourceDir` (or the current
   * directory) is not in a git work tree with a commit; not called when sourceDir is false.
   */
  onWarning?: (message: string) => void;
  /** Environment for GitHub detection and claims (default process.env). */
  env?: GithubProvenanceEnv;
  /** Hashing threads for a model on disk and for dataset or base-model directories (default: the number of CPUs). */
  jobs?: number;
}

/** Parses an RFC 3339 time for --started-on / --finished-on. Throws USAGE. */
export function parseTime(value: string, what: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(d.getTime()))
    throw new ModelsealError(
      'USAGE',
      `${what} '${value}' is not an RFC 3339 time (e.g. 2025-01-31T12:00:00Z)`,
    );
  return d;
}

/** The statement provenance() returns: an in-toto statement without `_type` (see buildProvenance). */
export type ProvenanceStatement = ReturnType<typeof buildProvenance>;

/**
 * SLSA v1 provenance statement about `source` (a model directory or file, a reference, `oci:LAYOUT`,
 * or an opened ModelSource). Subjects: a model on disk's OMS root (hashed as `sign` hashes it); an
 * artifact's manifest digest first (as cosign prints `Subject[0]`), then its OMS root (left out when
 * its files sit in archive layers), read from the manifest alone. Throws NOT_FOUND, BAD_REFERENCE,
 * UNSUPPORTED_ARTIFACT, REGISTRY_AUTH, and what provenanceStatement throws.
 */
export async function provenance(
  source: ModelSource | string,
  options: ProvenanceOptions = {},
): Promise<ProvenanceStatement> {
  const model = await resolveModelSource(source, options);
  const { subjects } = await sourceSubjects(model, { jobs: options.jobs });
  return provenanceStatement(subjects, options);
}

/**
 * SLSA v1 provenance statement about the given subjects (for a caller that already knows them, as
 * the Action's sign mode does after signing and pushing). Throws USAGE (ml-training inputs on
 * GitHub), NOT_FOUND (a dataset, byproduct or parameters file), INVALID_PROVENANCE,
 * MISSING_IDENTITY_TOKEN (GitHub without id-token: write).
 */
export async function provenanceStatement(
  subjects: StatementSubject[],
  opts: ProvenanceOptions = {},
): Promise<ProvenanceStatement> {
  const env = opts.env ?? process.env;
  const mode = opts.buildType ?? 'auto';
  const github = mode === 'github' || (mode === 'auto' && onGithubActions(env));

  const datasets = [];
  for (const d of opts.datasets ?? []) datasets.push(await digestedInput(d, opts.jobs));
  const baseModels = [];
  for (const b of opts.baseModels ?? []) baseModels.push(await digestedInput(b, opts.jobs));
  const byproducts = [];
  for (const f of opts.byproducts ?? []) byproducts.push(await byproduct(f));

  const common: BuildProvenanceOptions = {
    subjects,
    datasets,
    baseModels,
    byproducts,
    startedOn: opts.startedOn,
    finishedOn: opts.finishedOn,
  };
  if (github) {
    if (opts.parameters?.length || opts.parametersFile || opts.builderId || opts.invocationId) {
      throw new ModelsealError(
        'USAGE',
        'parameters, parametersFile, builderId and invocationId belong to the ml-training buildType; on GitHub Actions the workflow defines them',
        { remedy: { option: 'buildType', action: 'set', to: 'record them' } },
      );
    }
    return buildProvenance({ ...common, github: await githubBuildClaims(env) });
  }
  const parameters: Record<string, unknown> = opts.parametersFile
    ? await readParametersFile(opts.parametersFile)
    : {};
  for (const p of opts.parameters ?? []) {
    const [k, v] = parseParameter(p);
    parameters[k] = v;
  }
  const sourceDir = opts.sourceDir === false ? undefined : (opts.sourceDir ?? process.cwd());
  const source = sourceDir === undefined ? undefined : await gitSource(sourceDir);
  if (sourceDir !== undefined && source === undefined)
    opts.onWarning?.(
      `${sourceDir} is not in a git checkout with a commit: the provenance records no training code`,
    );
  return buildProvenance({
    ...common,
    parameters,
    source,
    builderId: opts.builderId,
    invocationId: opts.invocationId,
  });
}
