// Provenance for a model directory from what a user names: hashes the model (subject = OMS root),
// digests datasets, base models and byproducts, reads parameters and the git checkout, and picks
// GitHub's buildType on GitHub Actions (or when asked), else ml-training.
import { ModelsealError } from '../errors.js';
import { hashModel } from '../model/hash-model.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
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
 * Inputs of modelProvenance(): datasets, base models, parameters, byproducts, times, builder,
 * invocation and buildType (default auto: github on GitHub Actions, else ml-training).
 */
export interface ModelProvenanceOptions {
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
  /** Extra subjects (e.g. an OCI manifest digest) besides the model's OMS root. */
  extraSubjects?: StatementSubject[];
  /** Environment for GitHub detection and claims (default process.env). */
  env?: GithubProvenanceEnv;
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

/**
 * SLSA v1 provenance statement for a model directory (see buildProvenance). Throws USAGE, NOT_FOUND,
 * INVALID_PROVENANCE, MISSING_IDENTITY_TOKEN (GitHub without id-token: write).
 */
export async function modelProvenance(
  modelPath: string | { subjects: StatementSubject[] },
  opts: ModelProvenanceOptions = {},
): Promise<ReturnType<typeof buildProvenance>> {
  const env = opts.env ?? process.env;
  const mode = opts.buildType ?? 'auto';
  const github = mode === 'github' || (mode === 'auto' && onGithubActions(env));
  let subjects: StatementSubject[];
  if (typeof modelPath === 'string') {
    const manifest = await hashModel(modelPath, {
      jobs: opts.jobs,
      signaturePath: await defaultSignaturePath(modelPath),
    });
    subjects = [{ name: manifest.subjectName, digest: { sha256: manifest.root } }];
  } else subjects = modelPath.subjects;
  subjects = [...subjects, ...(opts.extraSubjects ?? [])];

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
